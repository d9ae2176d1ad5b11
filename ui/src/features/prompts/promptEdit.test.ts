import { describe, expect, it } from "vitest";
import { draftFrom, draftProblem, draftVariables, newPromptRequest, promptNameProblem, switchKind, versionRequest, type PromptDraft } from "./promptEdit";

const text = (t: string, commitMessage = ""): PromptDraft => ({ kind: "text", text: t, messages: [], commitMessage });

describe("prompt drafts", () => {
  it("prefill from a text or chat template (a copy) or start empty", () => {
    expect(draftFrom(null)).toEqual(text(""));
    expect(draftFrom({ kind: "text", text: "Hi {{ x }}" })).toEqual(text("Hi {{ x }}"));
    const messages = [{ role: "system", content: "be {{ tone }}" }];
    const chat = draftFrom({ kind: "chat", messages });
    expect(chat).toEqual({ kind: "chat", text: "", messages, commitMessage: "" });
    chat.messages[0]!.content = "changed";
    expect(messages[0]!.content).toBe("be {{ tone }}");
  });

  it("lists variables live, in order of first use, across messages", () => {
    expect(draftVariables(text("{{ b }} {{a}} {{ b }} {{ not a var }}"))).toEqual(["b", "a"]);
    const chat: PromptDraft = {
      kind: "chat",
      text: "",
      messages: [
        { role: "system", content: "You are {{ persona.name }}" },
        { role: "user", content: "{{ question }} {{persona.name}}" },
      ],
      commitMessage: "",
    };
    expect(draftVariables(chat)).toEqual(["persona.name", "question"]);
  });

  it("switches between text and chat", () => {
    const chat = switchKind(text("Q: {{ q }}"), "chat");
    expect(chat.messages).toEqual([{ role: "user", content: "Q: {{ q }}" }]);
    expect(switchKind({ ...chat, text: "" }, "text").text).toBe("Q: {{ q }}");
    expect(draftProblem({ ...chat, messages: [] })).toMatch(/at least one message/);
    expect(draftProblem({ ...chat, messages: [{ role: " ", content: "x" }] })).toMatch(/role/);
    expect(draftProblem(chat)).toBe("");
  });
});

describe("version-create requests", () => {
  it("stores a text template as MLflow does", () => {
    expect(versionRequest("qa", text("Answer {{ q }}", "  shorter  "))).toEqual({
      name: "qa",
      source: "dummy-source",
      description: "shorter",
      tags: [
        { key: "mlflow.prompt.is_prompt", value: "true" },
        { key: "mlflow.prompt.text", value: "Answer {{ q }}" },
        { key: "_mlflow_prompt_type", value: "text" },
      ],
    });
    expect(versionRequest("qa", text("x"))).not.toHaveProperty("description");
  });

  it("stores chat messages as a JSON list of {role, content}", () => {
    const messages = [
      { role: "system", content: "Be {{ tone }}" },
      { role: "user", content: 'Say "{{ q }}"' },
    ];
    const req = versionRequest("chatty", { kind: "chat", text: "ignored", messages, commitMessage: "two" });
    const tags = Object.fromEntries((req.tags ?? []).map((t) => [t.key, t.value]));
    expect(tags["_mlflow_prompt_type"]).toBe("chat");
    expect(JSON.parse(tags["mlflow.prompt.text"]!)).toEqual(messages);
    expect(req.description).toBe("two");
  });

  it("creates a new prompt as a tagged registered model, then version 1", () => {
    const req = newPromptRequest("fresh", text("Hi {{ who }}", "first"));
    expect(req.model).toEqual({ name: "fresh", description: "first", tags: [{ key: "mlflow.prompt.is_prompt", value: "true" }] });
    expect(req.version.name).toBe("fresh");
    expect(req.version.source).toBe("dummy-source");
    expect(newPromptRequest("bare", text("x")).model).toEqual({ name: "bare", tags: [{ key: "mlflow.prompt.is_prompt", value: "true" }] });
  });
});

describe("prompt names", () => {
  it("follow the SDK's rule", () => {
    expect(promptNameProblem("qa-v1.2_x")).toBe("");
    expect(promptNameProblem("")).toMatch(/Enter/);
    expect(promptNameProblem("bad name")).toMatch(/only letters/);
  });
});
