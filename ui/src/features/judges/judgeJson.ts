// A judge draft as MLflow's `serialized_scorer` JSON (what `make_judge(...).register()` writes,
// serialization_version 1), and back; and what kind of scorer a serialized one is.

/** The template variables of `make_judge` (MLflow's reserved ones). */
export const TEMPLATE_VARIABLES = ["inputs", "outputs", "expectations", "trace", "conversation"] as const;

/** The value types the builder offers. */
export type ValueKind = "boolean" | "number" | "integer" | "string" | "categorical";

export const VALUE_KINDS: { kind: ValueKind; label: string }[] = [
  { kind: "boolean", label: "Pass / fail" },
  { kind: "number", label: "Numeric" },
  { kind: "integer", label: "Integer score" },
  { kind: "categorical", label: "Categorical" },
  { kind: "string", label: "Free text" },
];

/** What the builder edits. */
export interface JudgeDraft {
  name: string;
  instructions: string;
  model: string;
  kind: ValueKind;
  /** The labels of a categorical judge. */
  categories: string[];
  description?: string | null;
}

/** The JSON-schema of the judge's result, as MLflow serializes `feedback_value_type`. */
export function valueSchema(draft: Pick<JudgeDraft, "kind" | "categories">): Record<string, unknown> {
  if (draft.kind === "categorical") return { title: "Result", type: "string", enum: draft.categories };
  return { title: "Result", type: draft.kind };
}

/** The serialized scorer JSON of a draft (the string the register route stores). */
export function serializeJudge(draft: JudgeDraft): string {
  const numeric = draft.kind === "boolean" || draft.kind === "number" || draft.kind === "integer";
  return JSON.stringify({
    name: draft.name,
    aggregations: numeric ? ["mean"] : null,
    description: draft.description ?? null,
    is_session_level_scorer: /\{\{\s*conversation\b/.test(draft.instructions),
    timeout: 0,
    session_level: null,
    mlflow_version: "3.18.0",
    serialization_version: 1,
    builtin_scorer_class: null,
    builtin_scorer_pydantic_data: null,
    call_source: null,
    call_signature: null,
    original_func_name: null,
    instructions_judge_pydantic_data: {
      instructions: draft.instructions,
      model: draft.model,
      feedback_value_type: valueSchema(draft),
    },
    memory_augmented_judge_data: null,
    third_party_scorer_data: null,
    ensemble_scorer_data: null,
  });
}

function parse(serialized: string): Record<string, unknown> | null {
  try {
    const data: unknown = JSON.parse(serialized);
    return data && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function kindOf(schema: unknown): Pick<JudgeDraft, "kind" | "categories"> {
  const s = (schema && typeof schema === "object" ? schema : {}) as { type?: unknown; enum?: unknown; anyOf?: unknown };
  if (Array.isArray(s.enum)) return { kind: "categorical", categories: s.enum.map(String) };
  if (Array.isArray(s.anyOf)) return kindOf(s.anyOf.find((p) => (p as { type?: unknown })?.type !== "null"));
  if (s.type === "boolean" || s.type === "number" || s.type === "integer") return { kind: s.type, categories: [] };
  return { kind: "string", categories: [] };
}

/** The draft a serialized `make_judge` judge describes; null for any other scorer. */
export function parseJudge(serialized: string): JudgeDraft | null {
  const data = parse(serialized);
  const judge = data?.instructions_judge_pydantic_data as Record<string, unknown> | null | undefined;
  if (!data || !judge || typeof judge !== "object") return null;
  return {
    name: String(data.name ?? ""),
    instructions: String(judge.instructions ?? ""),
    model: typeof judge.model === "string" ? judge.model : "",
    description: typeof data.description === "string" ? data.description : null,
    ...kindOf(judge.feedback_value_type),
  };
}

/** What a serialized scorer is: an LLM judge, a built-in (with its class), custom code, or unknown. */
export function scorerKind(serialized: string): { kind: "judge" | "builtin" | "code" | "unknown"; detail: string } {
  const data = parse(serialized);
  if (!data) return { kind: "unknown", detail: "" };
  const judge = data.instructions_judge_pydantic_data as Record<string, unknown> | null | undefined;
  if (judge && typeof judge === "object") return { kind: "judge", detail: typeof judge.model === "string" ? judge.model : "" };
  if (typeof data.builtin_scorer_class === "string" && data.builtin_scorer_class)
    return { kind: "builtin", detail: data.builtin_scorer_class };
  if (typeof data.call_source === "string") return { kind: "code", detail: String(data.original_func_name ?? "") };
  return { kind: "unknown", detail: "" };
}

/** The template variables an instructions text uses, in MLflow's order. */
export function usedVariables(instructions: string): string[] {
  return TEMPLATE_VARIABLES.filter((v) => new RegExp(`\\{\\{\\s*${v}\\b`).test(instructions));
}
