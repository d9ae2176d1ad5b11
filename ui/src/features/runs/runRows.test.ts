import { describe, expect, it } from "vitest";
import { run } from "@ardea/test/wire";
import { availableKeys, defaultColumns, DEFAULT_METRIC_COLUMNS, toRunRow } from "./runRows";

describe("default columns", () => {
  it("are the first metrics, then the first params, by name", () => {
    const rows = [
      toRunRow(run({ run_id: "a" }, { metrics: { loss: 1, acc: 2 }, params: { lr: "0.1" }, tags: { team: "x" } })),
      toRunRow(run({ run_id: "b" }, { metrics: { f1: 3 }, params: { batch: "32" } })),
    ];
    expect(defaultColumns(availableKeys(rows))).toEqual(["metrics.acc", "metrics.f1", "metrics.loss", "params.batch", "params.lr"]);
  });

  it("are capped, so a wide experiment stays readable", () => {
    const metrics = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`m${String(i).padStart(2, "0")}`, i]));
    const cols = defaultColumns(availableKeys([toRunRow(run({}, { metrics }))]));
    expect(cols).toHaveLength(DEFAULT_METRIC_COLUMNS);
    expect(cols[0]).toBe("metrics.m00");
  });
});
