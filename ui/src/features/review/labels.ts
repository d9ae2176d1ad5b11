// The review form's logic, kept pure for tests: form values per label schema, what a
// submission sends (empty optional labels left out, numbers parsed), and what is missing.
import type { Assessment, LabelSchema } from "@ardea/api/types";

/** The form's values by schema name (a pass/fail is a boolean, a number is typed text). */
export type LabelValues = Readonly<Record<string, unknown>>;

/** True when the form holds no answer for `value`. */
export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

/** The names of required schemas without an answer, in form order. */
export function missingRequired(schemas: readonly LabelSchema[], values: LabelValues): string[] {
  return schemas.filter((s) => s.required && isEmpty(values[s.name])).map((s) => s.name);
}

/** A numeric answer as a number; NaN when the text is no number. */
export function numberOf(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value !== "string" || value.trim() === "") return Number.NaN;
  return Number(value);
}

/** Why a numeric answer is refused ("" when fine). */
export function numericProblem(schema: LabelSchema, value: unknown): string {
  if (isEmpty(value)) return "";
  const n = numberOf(value);
  if (!Number.isFinite(n)) return "Enter a number";
  if (schema.min !== undefined && schema.min !== null && n < schema.min) return `At least ${schema.min}`;
  if (schema.max !== undefined && schema.max !== null && n > schema.max) return `At most ${schema.max}`;
  return "";
}

/** The labels a submission sends: answered schemas only, numbers as numbers. */
export function toSubmission(schemas: readonly LabelSchema[], values: LabelValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of schemas) {
    const value = values[s.name];
    if (isEmpty(value)) continue;
    out[s.name] = s.type === "numeric" ? numberOf(value) : value;
  }
  return out;
}

/** Whether the form can be submitted: every required label answered, every number valid. */
export function canSubmit(schemas: readonly LabelSchema[], values: LabelValues): boolean {
  return (
    missingRequired(schemas, values).length === 0 &&
    schemas.every((s) => s.type !== "numeric" || numericProblem(s, values[s.name]) === "") &&
    Object.keys(toSubmission(schemas, values)).length > 0
  );
}

/** The labels an item was given, from its trace's assessments (those `assessmentIds` names). */
export function labelsOf(schemas: readonly LabelSchema[], assessments: readonly Assessment[] | undefined, assessmentIds: readonly string[]): LabelValues {
  const ids = new Set(assessmentIds);
  const known = new Set(schemas.map((s) => s.name));
  const out: Record<string, unknown> = {};
  for (const a of assessments ?? []) {
    if (!ids.has(a.assessment_id) || !known.has(a.assessment_name)) continue;
    const value = a.feedback ? a.feedback.value : a.expectation?.value;
    out[a.assessment_name] = typeof value === "number" ? String(value) : value;
  }
  return out;
}
