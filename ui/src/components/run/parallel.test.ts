import { describe, expect, it } from "vitest";
import type { Metric } from "@ardea/api/types";
import { run as wireRun } from "@ardea/test/wire";
import { availableDims, axisPosition, axisTicks, buildAxis, defaultScatterAxes, dimVaries, parallelLayout } from "./parallel";

const run = (id: string, params: Record<string, string>, metrics: Record<string, Metric["value"]>) =>
  wireRun({ run_id: id }, { params, metrics });

describe("buildAxis / axisPosition", () => {
  it("scales numeric axes min..max, strings that parse included", () => {
    const a = buildAxis("param:lr", ["0.1", "0.3", undefined, "0.2"]);
    expect(a).toMatchObject({ kind: "numeric", min: 0.1, max: 0.3 });
    expect(axisPosition(a, "0.1")).toBe(0);
    expect(axisPosition(a, "0.3")).toBe(1);
    expect(axisPosition(a, "0.2")).toBeCloseTo(0.5);
    expect(axisPosition(a, undefined)).toBeNull();
  });

  it("puts a constant numeric axis in the middle", () => {
    expect(axisPosition(buildAxis("metric:x", [2, 2]), 2)).toBe(0.5);
  });

  it("spaces categories evenly", () => {
    const a = buildAxis("param:opt", ["sgd", "adam", "rmsprop", "adam"]);
    expect(a).toMatchObject({ kind: "categorical", categories: ["adam", "rmsprop", "sgd"] });
    expect(axisPosition(a, "adam")).toBe(0);
    expect(axisPosition(a, "rmsprop")).toBe(0.5);
    expect(axisPosition(a, "sgd")).toBe(1);
    expect(axisPosition(a, "other")).toBeNull();
    expect(axisTicks(a).map((t) => t.label)).toEqual(["adam", "rmsprop", "sgd"]);
  });
});

describe("parallelLayout", () => {
  it("lays out one line per run, null where a value is missing", () => {
    const runs = [run("a", { lr: "1" }, { loss: 4 }), run("b", { lr: "3" }, {})];
    expect(availableDims(runs)).toEqual(["param:lr", "metric:loss"]);
    const { axes, lines } = parallelLayout(runs, ["param:lr", "metric:loss"]);
    expect(axes).toHaveLength(2);
    expect(lines).toEqual([
      [0, 0.5],
      [1, null],
    ]);
  });
});

describe("defaultScatterAxes", () => {
  it("plots a varying param against a varying metric, skipping constant ones", () => {
    const runs = [
      run("a", { optimizer: "adam", lr: "0.1" }, { acc: 0.9, epochs: 3 }),
      run("b", { optimizer: "adam", lr: "0.01" }, { acc: 0.7, epochs: 3 }),
    ];
    const dims = availableDims(runs);
    expect(dims[0]).toBe("param:lr");
    expect(dimVaries(runs, "param:optimizer")).toBe(false);
    expect(dimVaries(runs, "param:lr")).toBe(true);
    expect(defaultScatterAxes(runs, ["param:optimizer", ...dims])).toEqual({ x: "param:lr", y: "metric:acc" });
  });

  it("falls back to a varying metric for x, and to any metric for y", () => {
    const runs = [run("a", { seed: "1" }, { loss: 1, acc: 0.5 }), run("b", { seed: "1" }, { loss: 2, acc: 0.5 })];
    expect(defaultScatterAxes(runs, availableDims(runs))).toEqual({ x: "metric:loss", y: "metric:acc" });
    const same = [run("a", { seed: "1" }, { acc: 0.5 }), run("b", { seed: "1" }, { acc: 0.5 })];
    expect(defaultScatterAxes(same, availableDims(same))).toEqual({ x: "param:seed", y: "metric:acc" });
    expect(defaultScatterAxes([], [])).toEqual({ x: "", y: "" });
  });
});
