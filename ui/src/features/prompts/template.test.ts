import { describe, expect, it } from "vitest";
import { promptTemplate, splitTemplate, templateText, templateVariables } from "./template";

describe("splitTemplate", () => {
  it("cuts out {{ variables }} and keeps the rest as text", () => {
    expect(splitTemplate("Hi {{ name }}, about {{topic.title}}!")).toEqual([
      { text: "Hi " },
      { text: "{{ name }}", variable: "name" },
      { text: ", about " },
      { text: "{{topic.title}}", variable: "topic.title" },
      { text: "!" },
    ]);
  });

  it("leaves malformed braces and markup as plain text", () => {
    expect(splitTemplate("{{ 1bad }} <b>{{x}}</b>")).toEqual([
      { text: "{{ 1bad }} <b>" },
      { text: "{{x}}", variable: "x" },
      { text: "</b>" },
    ]);
    expect(splitTemplate("")).toEqual([]);
  });
});

describe("promptTemplate", () => {
  it("reads a text template", () => {
    const t = promptTemplate([{ key: "mlflow.prompt.text", value: "Say {{ word }}" }]);
    expect(t).toEqual({ kind: "text", text: "Say {{ word }}" });
    expect(templateVariables(t)).toEqual(["word"]);
  });

  it("reads a chat template's messages", () => {
    const messages = [
      { role: "system", content: "You are {{ persona }}." },
      { role: "user", content: "{{ question }} {{ persona }}" },
    ];
    const t = promptTemplate([
      { key: "mlflow.prompt.text", value: JSON.stringify(messages) },
      { key: "_mlflow_prompt_type", value: "chat" },
    ]);
    expect(t).toEqual({ kind: "chat", messages });
    expect(templateVariables(t)).toEqual(["persona", "question"]);
    expect(templateText(t)).toBe("[system]\nYou are {{ persona }}.\n\n[user]\n{{ question }} {{ persona }}");
  });

  it("shows a malformed chat template as text", () => {
    const t = promptTemplate([
      { key: "mlflow.prompt.text", value: "not json" },
      { key: "_mlflow_prompt_type", value: "chat" },
    ]);
    expect(t).toEqual({ kind: "text", text: "not json" });
  });
});
