import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, formatMetric } from "./format";

describe("formatDuration", () => {
  it("shows sub-millisecond durations in whole microseconds", () => {
    expect(formatDuration(0)).toBe("0µs");
    expect(formatDuration(0.0004)).toBe("0µs");
    expect(formatDuration(0.012)).toBe("12µs");
    expect(formatDuration(0.4219)).toBe("422µs");
    expect(formatDuration(0.9994)).toBe("999µs");
  });

  it("keeps one decimal under 10 ms and whole milliseconds up to a second", () => {
    expect(formatDuration(0.9996)).toBe("1ms");
    expect(formatDuration(1)).toBe("1ms");
    expect(formatDuration(2.54)).toBe("2.5ms");
    expect(formatDuration(9.96)).toBe("10ms");
    expect(formatDuration(850.2)).toBe("850ms");
    expect(formatDuration(999.6)).toBe("1.0s");
  });

  it("uses seconds, minutes and hours above that, and nothing when unknown", () => {
    expect(formatDuration(12_340)).toBe("12.3s");
    expect(formatDuration(245_000)).toBe("4m 05s");
    expect(formatDuration(7_380_000)).toBe("2h 03m");
    expect(formatDuration(Number.NaN)).toBe("");
    expect(formatDuration(-1)).toBe("");
  });
});

describe("formatMetric", () => {
  it("keeps integers and six significant digits", () => {
    expect(formatMetric(3)).toBe("3");
    expect(formatMetric(0.123456789)).toBe("0.123457");
    expect(formatMetric("NaN")).toBe("NaN");
    expect(formatMetric(undefined)).toBe("");
  });
});

describe("formatBytes", () => {
  it("uses bytes under a KiB, then binary units with one decimal", () => {
    expect(formatBytes(812)).toBe("812 B");
    expect(formatBytes("10462")).toBe("10.2 KiB");
    expect(formatBytes(3.5 * 1024 * 1024)).toBe("3.5 MiB");
    expect(formatBytes(undefined)).toBe("");
    expect(formatBytes("x")).toBe("");
  });
});
