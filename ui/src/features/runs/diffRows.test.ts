import { describe, expect, it } from "vitest";
import { run as wireRun } from "@ardea/test/wire";
import { diffRows } from "./diffRows";

const run = (id: string, params: Record<string, string>, metrics: Record<string, number>) =>
  wireRun({ run_id: id }, { params, metrics });

describe("diffRows", () => {
  const runs = [run("a", { lr: "0.1", bs: "32" }, { acc: 0.9 }), run("b", { lr: "0.2", bs: "32" }, { acc: 0.9, loss: 1 })];

  it("flags keys whose values differ, including keys a run lacks", () => {
    expect(diffRows(runs, "params")).toEqual([
      { id: "params.bs", label: "bs", values: ["32", "32"], differs: false },
      { id: "params.lr", label: "lr", values: ["0.1", "0.2"], differs: true },
    ]);
    const metrics = diffRows(runs, "metrics");
    expect(metrics.map((r) => [r.label, r.differs])).toEqual([
      ["acc", false],
      ["loss", true],
    ]);
    expect(metrics[1]!.values).toEqual(["", "1"]);
  });
});
