import { describe, expect, it } from "vitest";
import { downsampleMinMax } from "./downsample";

describe("downsampleMinMax", () => {
  it("keeps every bucket's min and max so single-point peaks survive", () => {
    const n = 100_000;
    const xs = Array.from({ length: n }, (_, i) => i);
    const ys = xs.map((i) => Math.sin(i / 1000));
    ys[12_345] = 50; // a spike
    ys[87_654] = -50; // a dip
    const out = downsampleMinMax(xs, ys, 500);
    expect(out.x.length).toBeLessThanOrEqual(1000);
    expect(out.x.length).toBeGreaterThan(900);
    expect(Math.max(...out.y)).toBe(50);
    expect(Math.min(...out.y)).toBe(-50);
    expect(out.x).toContain(12_345);
    expect(out.x).toContain(87_654);
  });

  it("returns points in x order", () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => i * 2);
    const ys = xs.map((x) => (x % 7) - 3);
    const out = downsampleMinMax(xs, ys, 100);
    for (let i = 1; i < out.x.length; i++) expect(out.x[i]!).toBeGreaterThan(out.x[i - 1]!);
  });

  it("leaves short series alone and drops non-finite values", () => {
    const out = downsampleMinMax([1, 2, 3, 4], [1, Number.NaN, 3, Number.POSITIVE_INFINITY], 10);
    expect(out).toEqual({ x: [1, 3], y: [1, 3] });
  });

  it("handles a constant x (all points in one bucket)", () => {
    const out = downsampleMinMax([5, 5, 5, 5, 5], [3, 9, 1, 4, 2], 1);
    expect(out).toEqual({ x: [5, 5], y: [9, 1] });
  });
});
