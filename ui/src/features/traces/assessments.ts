// Assessments as the trace page shows them, and the feedback form's value parsing.
import type { Assessment } from "@ardea/api/types";

/** One assessment as display text. */
export interface AssessmentRow {
  id: string;
  name: string;
  kind: "feedback" | "expectation" | "issue";
  value: string;
  source: string;
  rationale: string;
  error: string;
  /** False when overridden or marked invalid. */
  valid: boolean;
  /** Epoch ms (NaN when unknown). */
  time: number;
}

function valueText(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

function expectationValue(a: Assessment): unknown {
  const s = a.expectation?.serialized_value;
  if (s?.value !== undefined) {
    try {
      return JSON.parse(s.value);
    } catch {
      return s.value;
    }
  }
  return a.expectation?.value;
}

/** Display rows: feedback first, then expectations, then issue links (named by issue id). */
export function assessmentRows(list: readonly Assessment[] | undefined): AssessmentRow[] {
  const rows = (list ?? []).map((a): AssessmentRow => {
    const kind = a.issue ? "issue" : a.expectation ? "expectation" : "feedback";
    const err = a.feedback?.error;
    const value = kind === "issue" ? a.issue?.issue_name : kind === "expectation" ? expectationValue(a) : a.feedback?.value;
    return {
      id: a.assessment_id,
      name: a.assessment_name,
      kind,
      value: valueText(value),
      source: [a.source?.source_type, a.source?.source_id].filter(Boolean).join(" · "),
      rationale: a.rationale ?? "",
      error: err ? [err.error_code, err.error_message].filter(Boolean).join(": ") : "",
      valid: a.valid !== false,
      time: a.create_time ? Date.parse(a.create_time) : Number.NaN,
    };
  });
  const order = (r: AssessmentRow) => ({ feedback: 0, expectation: 1, issue: 2 })[r.kind];
  return rows.sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name) || a.time - b.time);
}

export type FeedbackKind = "bool" | "number" | "text";

/** The feedback form's value as the JSON value to send, or an error message. */
export function parseFeedbackValue(kind: FeedbackKind, raw: string): { value: boolean | number | string } | { error: string } {
  const text = raw.trim();
  if (kind === "bool") {
    if (text === "yes") return { value: true };
    if (text === "no") return { value: false };
    return { error: "Choose yes or no." };
  }
  if (kind === "number") {
    const n = text === "" ? Number.NaN : Number(text);
    return Number.isFinite(n) ? { value: n } : { error: `${JSON.stringify(raw)} is not a number.` };
  }
  return text ? { value: raw } : { error: "Enter a value." };
}
