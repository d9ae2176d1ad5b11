import { describe, expect, it } from "vitest";
import type { LabelSchema } from "@ardea/api/types";
import { keyAction } from "./keys";
import { canSubmit, labelsOf, missingRequired, numericProblem, toSubmission } from "./labels";

const SCORE: LabelSchema = { name: "score", type: "numeric", title: "Score", required: false, min: 1, max: 5 };
const SCHEMAS: LabelSchema[] = [
  { name: "correct", type: "pass_fail", title: "Correct?", required: true },
  { name: "tone", type: "categorical", title: "Tone", required: false, options: ["polite", "neutral", "rude"] },
  SCORE,
  { name: "notes", type: "text", title: "Notes", required: false },
];

describe("review shortcuts", () => {
  it("move, submit, skip and show the help", () => {
    expect(keyAction({ key: "j" }, SCHEMAS)).toEqual({ kind: "next" });
    expect(keyAction({ key: "k" }, SCHEMAS)).toEqual({ kind: "previous" });
    expect(keyAction({ key: "Enter" }, SCHEMAS)).toEqual({ kind: "submit" });
    expect(keyAction({ key: "s" }, SCHEMAS)).toEqual({ kind: "skip" });
    expect(keyAction({ key: "?" }, SCHEMAS)).toEqual({ kind: "help" });
    expect(keyAction({ key: "x" }, SCHEMAS)).toBeNull();
  });

  it("set pass/fail and pick options by number", () => {
    expect(keyAction({ key: "p" }, SCHEMAS)).toEqual({ kind: "set", name: "correct", value: true });
    expect(keyAction({ key: "f" }, SCHEMAS)).toEqual({ kind: "set", name: "correct", value: false });
    expect(keyAction({ key: "3" }, SCHEMAS)).toEqual({ kind: "set", name: "tone", value: "rude" });
    expect(keyAction({ key: "4" }, SCHEMAS)).toBeNull(); // only three options
    expect(keyAction({ key: "p" }, SCHEMAS.slice(1))).toBeNull(); // no pass/fail label
  });

  it("leave typing alone, and modified keys to the browser", () => {
    expect(keyAction({ key: "j", inField: true }, SCHEMAS)).toBeNull();
    expect(keyAction({ key: "Enter", inField: true }, SCHEMAS)).toBeNull();
    expect(keyAction({ key: "Enter", inField: true, ctrlKey: true }, SCHEMAS)).toEqual({ kind: "submit" });
    expect(keyAction({ key: "Escape", inField: true }, SCHEMAS)).toEqual({ kind: "escape" });
    expect(keyAction({ key: "s", metaKey: true }, SCHEMAS)).toBeNull();
  });
});

describe("review form", () => {
  it("sends answered labels only, numbers as numbers", () => {
    expect(toSubmission(SCHEMAS, { correct: false, tone: "", score: "4", notes: "  " })).toEqual({ correct: false, score: 4 });
  });

  it("fills in an item's earlier labels", () => {
    const human = { source_type: "HUMAN", source_id: "ann" };
    const assessments = [
      { assessment_id: "a1", assessment_name: "correct", valid: true, source: human, feedback: { value: false } },
      { assessment_id: "a2", assessment_name: "score", valid: true, source: human, feedback: { value: 4 } },
      { assessment_id: "a3", assessment_name: "tone", valid: true, source: human, feedback: { value: "rude" } },
    ] as never;
    expect(labelsOf(SCHEMAS, assessments, ["a1", "a2"])).toEqual({ correct: false, score: "4" });
  });

  it("needs the required labels and valid numbers", () => {
    expect(missingRequired(SCHEMAS, { tone: "rude" })).toEqual(["correct"]);
    expect(canSubmit(SCHEMAS, { tone: "rude" })).toBe(false);
    expect(canSubmit(SCHEMAS, { correct: true })).toBe(true);
    expect(numericProblem(SCORE, "9")).toBe("At most 5");
    expect(numericProblem(SCORE, "abc")).toBe("Enter a number");
    expect(canSubmit(SCHEMAS, { correct: true, score: "0" })).toBe(false);
  });
});

describe("review conversation", () => {
  it("shows chat inputs and the reply, or plain text", async () => {
    const { conversation, judgeVerdicts } = await import("./conversation");
    const chat = conversation(JSON.stringify({ messages: [{ role: "user", content: "Capital of France?" }] }), '"Paris"');
    expect(chat.map((m) => [m.role, m.text])).toEqual([
      ["user", "Capital of France?"],
      ["assistant", "Paris"],
    ]);
    expect(conversation('{"q": 1}', undefined).map((m) => m.role)).toEqual(["user"]);
    const judge = { source_type: "LLM_JUDGE", source_id: "j" };
    const verdicts = judgeVerdicts([
      { assessment_name: "b", valid: true, source: judge, feedback: { value: "no" } },
      { assessment_name: "a", valid: false, source: judge, feedback: { value: "no" } },
      { assessment_name: "c", valid: true, source: { source_type: "HUMAN", source_id: "h" }, feedback: { value: "yes" } },
    ] as never);
    expect(verdicts.map((v) => v.assessment_name)).toEqual(["b"]);
  });
});
