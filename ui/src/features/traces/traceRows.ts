// What the traces table shows per trace, from TraceInfoV3.
import type { TraceInfo } from "@ardea/api/types";

export interface TraceRow {
  id: string;
  name: string;
  request: string;
  response: string;
  state: string;
  /** Milliseconds. */
  latency: number;
  tokens: string;
  session: string;
  /** USD, from the `mlflow.trace.cost` metadata (undefined when absent). */
  cost?: number;
  /** Epoch milliseconds. */
  time: number;
  /** The user's tags (not MLflow's own `mlflow.*`), sorted by key. */
  tags: [string, string][];
}

/** The tags a user set: MLflow's internal `mlflow.*` tags left out, sorted by key. */
export function userTags(tags: Record<string, string> | undefined): [string, string][] {
  return Object.entries(tags ?? {})
    .filter(([k]) => !k.startsWith("mlflow."))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `text` cut to `max` characters with an ellipsis (the full text goes in a tooltip). */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join("")}…`;
}

function tokens(meta: Record<string, string>): string {
  try {
    const usage = JSON.parse(meta["mlflow.trace.tokenUsage"] ?? "") as { total_tokens?: number };
    return usage.total_tokens !== undefined ? String(usage.total_tokens) : "";
  } catch {
    return "";
  }
}

function cost(meta: Record<string, string>): number | undefined {
  try {
    const c = JSON.parse(meta["mlflow.trace.cost"] ?? "") as { total_cost?: number } | number;
    const n = typeof c === "number" ? c : c.total_cost;
    return typeof n === "number" && Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** One table row per trace. */
export function toTraceRow(t: TraceInfo): TraceRow {
  const meta = t.trace_metadata ?? {};
  const duration = t.execution_duration ?? "";
  return {
    id: t.trace_id,
    name: t.tags?.["mlflow.traceName"] ?? "",
    request: t.request_preview ?? "",
    response: t.response_preview ?? "",
    state: t.state ?? "",
    latency: duration.endsWith("s") ? Number(duration.slice(0, -1)) * 1000 : Number.NaN,
    tokens: tokens(meta),
    session: meta["mlflow.trace.session"] ?? "",
    cost: cost(meta),
    time: t.request_time ? Date.parse(t.request_time) : Number.NaN,
    tags: userTags(t.tags),
  };
}
