import { describe, expect, it } from "vitest";
import { parseJudge, scorerKind, serializeJudge, usedVariables, valueSchema } from "./judgeJson";

const draft = {
  name: "correct",
  instructions: "Is {{ outputs }} right for {{ inputs }}?",
  model: "openai:/gpt-4.1-mini",
  kind: "boolean" as const,
  categories: [],
};

describe("serializeJudge", () => {
  it("writes MLflow's serialized make_judge JSON", () => {
    const data = JSON.parse(serializeJudge(draft));
    expect(data).toMatchObject({
      name: "correct",
      aggregations: ["mean"],
      is_session_level_scorer: false,
      mlflow_version: "3.18.0",
      serialization_version: 1,
      builtin_scorer_class: null,
      call_source: null,
      instructions_judge_pydantic_data: {
        instructions: draft.instructions,
        model: "openai:/gpt-4.1-mini",
        feedback_value_type: { title: "Result", type: "boolean" },
      },
    });
  });

  it("writes categories as an enum and free text without aggregations", () => {
    expect(valueSchema({ kind: "categorical", categories: ["a", "b"] })).toEqual({ title: "Result", type: "string", enum: ["a", "b"] });
    const text = JSON.parse(serializeJudge({ ...draft, kind: "string", instructions: "{{ conversation }}" }));
    expect(text.aggregations).toBeNull();
    expect(text.is_session_level_scorer).toBe(true);
  });
});

describe("parseJudge", () => {
  it("reads back what it wrote, and nothing from other scorers", () => {
    expect(parseJudge(serializeJudge(draft))).toEqual({ ...draft, description: null });
    const cat = { ...draft, kind: "categorical" as const, categories: ["good", "poor"] };
    expect(parseJudge(serializeJudge(cat))?.categories).toEqual(["good", "poor"]);
    expect(parseJudge(JSON.stringify({ name: "x", builtin_scorer_class: "Safety" }))).toBeNull();
    expect(parseJudge("not json")).toBeNull();
  });

  it("reads MLflow's optional types", () => {
    const json = JSON.stringify({
      name: "x",
      instructions_judge_pydantic_data: { instructions: "{{ outputs }}", model: "m:/x", feedback_value_type: { anyOf: [{ type: "number" }, { type: "null" }] } },
    });
    expect(parseJudge(json)?.kind).toBe("number");
  });
});

describe("scorerKind", () => {
  it("tells judges, built-ins and code apart", () => {
    expect(scorerKind(serializeJudge(draft))).toEqual({ kind: "judge", detail: "openai:/gpt-4.1-mini" });
    expect(scorerKind(JSON.stringify({ builtin_scorer_class: "Safety" }))).toEqual({ kind: "builtin", detail: "Safety" });
    expect(scorerKind(JSON.stringify({ call_source: "return 1", original_func_name: "f" }))).toEqual({ kind: "code", detail: "f" });
    expect(scorerKind("{")).toEqual({ kind: "unknown", detail: "" });
  });
});

describe("usedVariables", () => {
  it("lists the template variables in MLflow's order", () => {
    expect(usedVariables("{{ outputs }} {{inputs}} {{ trace }}")).toEqual(["inputs", "outputs", "trace"]);
  });
});
