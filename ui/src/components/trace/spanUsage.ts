// Token usage, cost and model of an LLM span, from the attributes Ardea and MLflow write
// (`mlflow.chat.tokenUsage`, `mlflow.llm.cost`, `mlflow.llm.model`, `mlflow.llm.provider`).
import { parseMaybeJson } from "@ardea/lib/otel";

export interface SpanUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  /** USD. */
  cost?: number;
  model?: string;
  provider?: string;
}

/** The span attributes `spanUsage` reads (the pane lists them under usage, not attributes). */
export const USAGE_KEYS = ["mlflow.chat.tokenUsage", "mlflow.llm.cost", "mlflow.llm.model", "mlflow.llm.provider"];

function num(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Usage of one span from its attributes; empty when it has none. */
export function spanUsage(attrs: ReadonlyMap<string, unknown>): SpanUsage {
  const out: SpanUsage = {};
  const usage = parseMaybeJson(attrs.get("mlflow.chat.tokenUsage"));
  if (typeof usage === "object" && usage !== null) {
    const u = usage as Record<string, unknown>;
    const input = num(u.input_tokens ?? u.prompt_tokens);
    const output = num(u.output_tokens ?? u.completion_tokens);
    const total = num(u.total_tokens) ?? (input !== undefined || output !== undefined ? (input ?? 0) + (output ?? 0) : undefined);
    if (input !== undefined) out.inputTokens = input;
    if (output !== undefined) out.outputTokens = output;
    if (total !== undefined) out.totalTokens = total;
  }
  const cost = parseMaybeJson(attrs.get("mlflow.llm.cost"));
  const total = typeof cost === "object" && cost !== null ? num((cost as Record<string, unknown>).total_cost) : num(cost);
  if (total !== undefined) out.cost = total;
  for (const [key, field] of [
    ["mlflow.llm.model", "model"],
    ["mlflow.llm.provider", "provider"],
  ] as const) {
    const v = parseMaybeJson(attrs.get(key));
    if (typeof v === "string" && v) out[field] = v;
  }
  return out;
}

/** A USD amount: "$0.0012", "$3.50" ("" when absent). */
export function formatCost(usd: number | undefined): string {
  if (usd === undefined || !Number.isFinite(usd)) return "";
  if (usd === 0) return "$0";
  if (Math.abs(usd) >= 1) return `$${usd.toFixed(2)}`;
  return `$${Number(usd.toPrecision(2))}`;
}
