import { describe, expect, it } from "vitest";
import type { QualityResponse } from "@ardea/api/types";
import { groupByParam, qualityCharts } from "./qualitySeries";

const b = (start: number, passed: number, total: number) => ({
  start_ms: start,
  passed,
  total,
  rate: total ? passed / total : null,
  low: total ? 0.1 : null,
  high: total ? 0.9 : null,
});

const q: QualityResponse = {
  start_ms: 0,
  end_ms: 2000,
  bucket_ms: 1000,
  group_by: "model",
  confidence: 0.95,
  series: [
    { judge: "correct", group: "gpt-a", overall: b(0, 1, 2), buckets: [b(0, 1, 2), b(1000, 0, 0)] },
    { judge: "correct", group: null, overall: b(0, 1, 1), buckets: [b(0, 1, 1), b(1000, 0, 0)] },
    { judge: "safe", group: "gpt-a", overall: b(0, 2, 2), buckets: [b(0, 2, 2), b(1000, 0, 0)] },
  ],
};

describe("qualityCharts", () => {
  it("makes one chart per judge, a line and a band per group", () => {
    const [correct, safe] = qualityCharts(q);
    expect(correct!.title).toBe("correct: pass rate (95% interval)");
    expect(correct!.x).toEqual([0, 1]);
    expect(correct!.series.map((s) => s.label)).toEqual(["gpt-a", "gpt-a high", "gpt-a low", "none", "none high", "none low"]);
    expect(correct!.series[0]!.values).toEqual([0.5, null]);
    expect(correct!.series[1]!.edge).toBe(true);
    expect(correct!.bands).toEqual([
      { upper: 1, lower: 2, color: correct!.series[0]!.color },
      { upper: 4, lower: 5, color: correct!.series[3]!.color },
    ]);
    expect(safe!.series).toHaveLength(3);
  });

  it("maps the selector to group_by", () => {
    expect(groupByParam("", "")).toBe("");
    expect(groupByParam("model", "")).toBe("model");
    expect(groupByParam("tag", " env ")).toBe("tag:env");
    expect(groupByParam("tag", "")).toBe("");
  });
});
