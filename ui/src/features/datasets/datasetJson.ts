// Pure helpers of the dataset pages: MLflow's JSON-string fields read safely, and the
// expectations editor's text parsed.

/** A JSON-string field (`tags`, `profile`) as an object; `{}` when absent or not an object. */
export function parseJsonObject(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The record count a dataset's `profile` states, if any. */
export function recordCount(profile: string | undefined): number | undefined {
  const n = parseJsonObject(profile)["num_records"];
  return typeof n === "number" ? n : undefined;
}

/** Compact JSON of a value for a cell ("—" for nothing). */
export function compactJson(value: unknown): string {
  if (value === undefined || value === null) return "—";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** The expectations editor's text as an object, or the reason it is not one. */
export function parseExpectations(text: string): { value: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `Not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    return { error: 'Expectations are a JSON object, e.g. {"expected_response": "..."}' };
  return { value: value as Record<string, unknown> };
}
