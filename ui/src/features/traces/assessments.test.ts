import { describe, expect, it } from "vitest";
import { assessment } from "@ardea/test/wire";
import { assessmentRows, parseFeedbackValue } from "./assessments";

describe("assessmentRows", () => {
  it("lists feedback then expectations with values as text", () => {
    const rows = assessmentRows([
      assessment({
        assessment_id: "a2",
        assessment_name: "expected",
        expectation: { serialized_value: { serialization_format: "JSON_FORMAT", value: '["x", 1]' } },
        source: { source_type: "HUMAN", source_id: "ann" },
      }),
      assessment({ assessment_id: "a1", assessment_name: "correct", feedback: { value: true }, rationale: "right", source: { source_type: "LLM_JUDGE", source_id: "j" } }),
      assessment({ assessment_id: "a3", assessment_name: "broken", feedback: { value: null, error: { error_code: "E", error_message: "judge failed" } }, valid: false }),
    ]);
    expect(rows.map((r) => [r.name, r.kind, r.value, r.valid])).toEqual([
      ["broken", "feedback", "", false],
      ["correct", "feedback", "yes", true],
      ["expected", "expectation", '["x",1]', true],
    ]);
    expect(rows[1]).toMatchObject({ source: "LLM_JUDGE · j", rationale: "right" });
    expect(rows[0]!.error).toBe("E: judge failed");
  });

  it("shows an issue link last, by issue id, with the issue's name as its value", () => {
    const rows = assessmentRows([
      assessment({ assessment_id: "i1", assessment_name: "iss-1", issue: { issue_name: "Refuses" }, rationale: "said no" }),
      assessment({ assessment_id: "a1", assessment_name: "correct", feedback: { value: false } }),
    ]);
    expect(rows.map((r) => [r.name, r.kind, r.value])).toEqual([
      ["correct", "feedback", "no"],
      ["iss-1", "issue", "Refuses"],
    ]);
  });
});

describe("parseFeedbackValue", () => {
  it("turns the form's value into JSON values", () => {
    expect(parseFeedbackValue("bool", "yes")).toEqual({ value: true });
    expect(parseFeedbackValue("bool", "no")).toEqual({ value: false });
    expect(parseFeedbackValue("number", " 0.75 ")).toEqual({ value: 0.75 });
    expect(parseFeedbackValue("text", "fine")).toEqual({ value: "fine" });
  });
  it("rejects empty and non-numeric values", () => {
    expect(parseFeedbackValue("number", "abc")).toHaveProperty("error");
    expect(parseFeedbackValue("number", "")).toHaveProperty("error");
    expect(parseFeedbackValue("text", "  ")).toHaveProperty("error");
    expect(parseFeedbackValue("bool", "maybe")).toHaveProperty("error");
  });
});
