// How alert rules read in the UI: the measure of each kind, its unit, a rule's condition in
// words ("error rate > 20% over 1 h"), and a measure's value in its unit.
import { formatValue } from "@ardea/components/charts/chartSpec";
import type { AlertRule } from "@ardea/api/types";

export type RuleKind = AlertRule["kind"];

/** Each kind's measure, comparison and unit (rates are fractions on the wire). */
export const KINDS: Record<RuleKind, { measure: string; op: "<" | ">"; unit: "ratio" | "ms" | "cost" }> = {
  pass_rate_below: { measure: "pass rate", op: "<", unit: "ratio" },
  error_rate_above: { measure: "error rate", op: ">", unit: "ratio" },
  latency_p99_above: { measure: "p99 latency", op: ">", unit: "ms" },
  cost_per_day_above: { measure: "cost per day", op: ">", unit: "cost" },
};

/** A window in words: `90 s`, `15 min`, `1 h`, `2 d`. */
export function formatWindow(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** A measure of a rule of `kind` in its unit ("–" for none). */
export function formatMeasure(kind: RuleKind, value: number | null | undefined): string {
  return formatValue(value, KINDS[kind].unit) || "–";
}

/** A rule's condition in words, e.g. `correctness pass rate < 80% over 1 h`. */
export function describeRule(rule: Pick<AlertRule, "kind" | "threshold" | "window_seconds" | "judge">): string {
  const k = KINDS[rule.kind];
  const what = rule.kind === "pass_rate_below" && rule.judge ? `${rule.judge} ${k.measure}` : k.measure;
  return `${what} ${k.op} ${formatMeasure(rule.kind, rule.threshold)} over ${formatWindow(rule.window_seconds)}`;
}
