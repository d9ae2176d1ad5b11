import { describe, expect, it } from "vitest";
import type { GatewayUsage } from "@ardea/api/types";
import { bucketFor, formatUsd, MAX_SERIES, usageCharts } from "./usageSeries";

const m = (requests: number, cost = 0.5) => ({
  requests,
  errors: 0,
  input_tokens: 10 * requests,
  output_tokens: 5 * requests,
  cost_usd: cost,
  unpriced: 0,
  latency_ms_avg: 12,
  cache_hits: 0,
  fallbacks: 0,
});

describe("usageCharts", () => {
  it("puts every bucket of the range on the x axis, zero where nothing was asked", () => {
    const u: GatewayUsage = {
      start_ms: 0,
      end_ms: 180_000,
      bucket: "minute",
      bucket_ms: 60_000,
      group_by: "endpoint",
      groups: [
        { group: "chat", points: [{ start_ms: 60_000, ...m(3) }], totals: m(3) },
        { group: "", points: [{ start_ms: 0, ...m(1) }], totals: m(1) },
      ],
      totals: m(4),
    };
    const [requests, tokens, cost] = usageCharts(u);
    expect(requests!.x).toEqual([0, 60, 120]);
    expect(requests!.series.map((s) => [s.label, s.values])).toEqual([
      ["chat", [0, 3, 0]],
      ["(none)", [1, 0, 0]],
    ]);
    expect(tokens!.series[0]!.values).toEqual([0, 45, 0]);
    expect(cost!.unit).toBe("cost");
  });

  it("sums the groups past the first eight as 'other'", () => {
    const groups = Array.from({ length: MAX_SERIES + 2 }, (_, i) => ({ group: `e${i}`, points: [{ start_ms: 0, ...m(1) }], totals: m(1) }));
    const u: GatewayUsage = { start_ms: 0, end_ms: 60_000, bucket: "minute", bucket_ms: 60_000, group_by: "endpoint", groups, totals: m(10) };
    const series = usageCharts(u)[0]!.series;
    expect(series).toHaveLength(MAX_SERIES + 1);
    expect(series.at(-1)).toMatchObject({ label: "other (2)", values: [2] });
  });
});

describe("bucketFor and formatUsd", () => {
  it("choose minutes, hours or days by the range's length", () => {
    expect(bucketFor(0, 3_600_000)).toBe("minute");
    expect(bucketFor(0, 7 * 86_400_000)).toBe("hour");
    expect(bucketFor(0, 90 * 86_400_000)).toBe("day");
  });
  it("print dollars and say how many requests had no price", () => {
    expect(formatUsd(0)).toBe("$0");
    expect(formatUsd(1.234)).toBe("$1.23");
    expect(formatUsd(0.00042)).toBe("$0.00042");
    expect(formatUsd(2, 3)).toBe("$2.00 + 3 unpriced");
    expect(formatUsd(undefined)).toBe("—");
  });
});
