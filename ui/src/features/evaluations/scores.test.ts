import { describe, expect, it } from "vitest";
import type { EvaluationRow } from "@ardea/api/types";
import { domainOf, filterRows, formatEstimate, formatP, formatScore, headline, isFail, isPass, rowKeyLabel, verdictClass, verdictLabel } from "./scores";

const row = (id: string, correct: unknown, extra: Partial<EvaluationRow> = {}): EvaluationRow => ({
  trace_id: id,
  state: "OK",
  scores: { correct: { value: correct, source_type: "LLM_JUDGE" } },
  expectations: {},
  ...extra,
});

describe("verdict values", () => {
  it("read booleans and yes/no words as pass or fail", () => {
    expect([false, "no", "Fail", " false "].every(isFail)).toBe(true);
    expect([true, "yes", "PASS"].every(isPass)).toBe(true);
    expect(isFail(0)).toBe(false);
    expect(isPass(1)).toBe(false);
  });

  it("format values for cells", () => {
    expect(formatScore(true)).toBe("yes");
    expect(formatScore(false)).toBe("no");
    expect(formatScore(0.123456)).toBe("0.1235");
    expect(formatScore(null)).toBe("—");
    expect(formatScore({ a: 1 })).toBe('{"a":1}');
    expect(formatP(0.0004)).toBe("<0.001");
    expect(formatP(0.0312)).toBe("0.031");
    expect(formatP(null)).toBe("—");
  });
});

describe("headline estimates", () => {
  const est = (name: string, value: number | null, low: number | null = null, high: number | null = null) => ({
    name,
    value,
    low,
    high,
    confidence: 0.95,
    method: "wilson",
    n: 10,
  });

  it("prefer the pass rate, then the mean", () => {
    const base = { scorer: "s", n_rows: 1, n_missing: 0, n_valid: 1, errors: 0, counts: [] };
    expect(headline({ ...base, kind: "binary", estimates: [est("pass_rate", 0.5)] })?.name).toBe("pass_rate");
    expect(headline({ ...base, kind: "numeric", estimates: [est("median", 2), est("mean", 3)] })?.name).toBe("mean");
  });

  it("print rates as percentages and intervals in brackets", () => {
    expect(formatEstimate(est("pass_rate", 0.8333, 0.6, 0.95), true)).toBe("83.3% [60%, 95%]");
    expect(formatEstimate(est("mean", 3.8182, 3.5, 4.1), false)).toBe("3.818 [3.5, 4.1]");
    expect(formatEstimate(est("mean", 3), false)).toBe("3");
    expect(formatEstimate(est("mean", null), false)).toBe("—");
  });

  it("share one scale per scorer: 0-1 for rates, the intervals' span padded otherwise", () => {
    expect(domainOf([est("pass_rate", 0.5, 0.2, 0.8)], true)).toEqual([0, 1]);
    const [lo, hi] = domainOf([est("mean", 3, 2, 4), est("mean", 5, 4, 6)], false);
    expect(lo).toBeLessThan(2);
    expect(hi).toBeGreaterThan(6);
    expect(domainOf([est("mean", 2)], false)).toEqual([1.8, 2.2]);
  });
});

describe("filterRows", () => {
  const rows = [
    row("t1", true, { request_preview: "heron" }),
    row("t2", false),
    row("t3", null, { scores: { correct: { value: null, source_type: "LLM_JUDGE", error: "boom" } } }),
    row("t4", "no", { state: "ERROR" }),
  ];

  it("keeps the rows that failed a scorer", () => {
    expect(filterRows(rows, { failedOn: "correct", errorsOnly: false, text: "" }).map((r) => r.trace_id)).toEqual(["t2", "t4"]);
  });

  it("keeps the rows with errors (a scorer's or the trace's)", () => {
    expect(filterRows(rows, { failedOn: "", errorsOnly: true, text: "" }).map((r) => r.trace_id)).toEqual(["t3", "t4"]);
  });

  it("matches text in the previews and trace ids", () => {
    expect(filterRows(rows, { failedOn: "", errorsOnly: false, text: "HERON" }).map((r) => r.trace_id)).toEqual(["t1"]);
    expect(filterRows(rows, { failedOn: "", errorsOnly: false, text: "t3" }).map((r) => r.trace_id)).toEqual(["t3"]);
  });
});

describe("comparison labels", () => {
  it("name verdicts and row keys", () => {
    expect(verdictClass("regressed")).toBe("verdict-regressed");
    expect(verdictClass("no_significant_change")).toBe("verdict-neutral");
    expect(verdictLabel("no_significant_change")).toBe("unchanged");
    expect(rowKeyLabel("record:dr-1")).toBe("record dr-1");
    expect(rowKeyLabel("inputs:0123456789abcdef")).toBe("inputs 01234567…");
  });
});
