import { describe, expect, it } from "vitest";
import type { Metric } from "@ardea/api/types";
import { run as wireRun } from "@ardea/test/wire";
import { availableDims, axisPosition, axisTicks, buildAxis, parallelLayout } from "./parallel";

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
