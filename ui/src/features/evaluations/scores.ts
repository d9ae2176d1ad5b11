// Pure helpers of the evaluation pages: how a verdict reads, which rows failed, what is shown
// as a scorer's headline number, and the filters of the results grid.
import type { EvaluationEstimate, EvaluationRow, EvaluationScorerSummary } from "@ardea/api/types";

const FAIL_WORDS = new Set(["no", "false", "fail", "failed", "n"]);
const PASS_WORDS = new Set(["yes", "true", "pass", "passed", "y"]);

/** Whether a feedback value reads as a failure (false, "no", "fail"). */
export function isFail(value: unknown): boolean {
  if (value === false) return true;
  return typeof value === "string" && FAIL_WORDS.has(value.trim().toLowerCase());
}

/** Whether a feedback value reads as a pass (true, "yes", "pass"). */
export function isPass(value: unknown): boolean {
  if (value === true) return true;
  return typeof value === "string" && PASS_WORDS.has(value.trim().toLowerCase());
}

/** A feedback value for a cell: yes/no, a number with up to 4 significant digits, text, or "—". */
export function formatScore(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** A number with up to 4 significant digits ("—" when absent). */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** A share as a percentage ("83.3%"). */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${Number((value * 100).toPrecision(3))}%`;
}

/** The estimate a scorer is summed up by: its pass rate, else its mean, else the first. */
export function headline(summary: EvaluationScorerSummary): EvaluationEstimate | undefined {
  const { estimates } = summary;
  return (
    estimates.find((e) => e.name === "pass_rate") ?? estimates.find((e) => e.name === "mean") ?? estimates[0]
  );
}

/** An estimate as text: "83.3% [61.8%, 94.2%]" for a rate, "3.82 [3.5, 4.1]" for a mean. */
export function formatEstimate(e: EvaluationEstimate | undefined, rate: boolean): string {
  if (!e || e.value === null) return "—";
  const f = rate ? formatPercent : formatNumber;
  return e.low === null || e.high === null ? f(e.value) : `${f(e.value)} [${f(e.low)}, ${f(e.high)}]`;
}

/** The filters of the results grid. */
export interface RowFilter {
  /** Only rows that failed this scorer ("" for any). */
  failedOn: string;
  /** Only rows with an error (a failed trace or a scorer that raised). */
  errorsOnly: boolean;
  /** Free text matched against the previews and the trace id. */
  text: string;
}

/** Whether a row is an error: its trace failed, or some scorer reported an error. */
export function rowHasError(row: EvaluationRow): boolean {
  return row.state === "ERROR" || Object.values(row.scores).some((s) => s.error !== undefined);
}

/** The rows the filter keeps, in their order. */
export function filterRows(rows: readonly EvaluationRow[], f: RowFilter): EvaluationRow[] {
  const text = f.text.trim().toLowerCase();
  return rows.filter((row) => {
    if (f.failedOn && !isFail(row.scores[f.failedOn]?.value)) return false;
    if (f.errorsOnly && !rowHasError(row)) return false;
    if (text) {
      const hay = `${row.trace_id} ${row.request_preview ?? ""} ${row.response_preview ?? ""}`.toLowerCase();
      if (!hay.includes(text)) return false;
    }
    return true;
  });
}

/** The CSS class of a comparison verdict. */
export function verdictClass(verdict: string): string {
  if (verdict === "improved") return "verdict-improved";
  if (verdict === "regressed") return "verdict-regressed";
  if (verdict === "changed") return "verdict-changed";
  return "verdict-neutral";
}

/** A verdict in words. */
export function verdictLabel(verdict: string): string {
  return (
    {
      improved: "improved",
      regressed: "regressed",
      changed: "changed",
      no_significant_change: "unchanged",
      insufficient_data: "too few rows",
    }[verdict] ?? verdict
  );
}

/** A p-value for a cell ("<0.001" below a thousandth). */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "—";
  if (p < 0.001) return "<0.001";
  return String(Number(p.toPrecision(2)));
}

/** The row key of a comparison in words: "record dr-1" or "inputs 3fa2…". */
export function rowKeyLabel(key: string): string {
  if (key.startsWith("record:")) return `record ${key.slice("record:".length)}`;
  if (key.startsWith("inputs:")) return `inputs ${key.slice("inputs:".length, "inputs:".length + 8)}…`;
  return key;
}

/** The [low, high] domain that holds every interval given (0-1 for rates), padded a little. */
export function domainOf(points: readonly (EvaluationEstimate | undefined)[], rate: boolean): [number, number] {
  if (rate) return [0, 1];
  const xs: number[] = [];
  for (const e of points) for (const v of [e?.low, e?.high, e?.value]) if (typeof v === "number" && Number.isFinite(v)) xs.push(v);
  if (xs.length === 0) return [0, 1];
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const pad = hi === lo ? Math.abs(hi) * 0.1 || 1 : (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}
