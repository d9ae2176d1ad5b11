import { describe, expect, it } from "vitest";
import { groupRows, NO_VALUE, type GroupItem } from "./grouping";
import type { RunRow } from "./runRows";

const row = (id: string, values: Record<string, string>): RunRow => ({
  id,
  name: id,
  status: "FINISHED",
  start: 0,
  end: 0,
  user: "",
  values: new Map(Object.entries(values)),
});

const rows = [
  row("a", { "params.lr": "10", "metrics.acc": "0.5" }),
  row("b", { "params.lr": "2", "metrics.acc": "0.7" }),
  row("c", { "params.lr": "10", "metrics.acc": "0.9" }),
  row("d", { "metrics.acc": "NaN" }),
];

describe("groupRows", () => {
  it("returns the runs unchanged without a group-by", () => {
    expect(groupRows(rows, "", [], new Set()).map((i) => (i.kind === "run" ? i.row.id : ""))).toEqual(["a", "b", "c", "d"]);
  });

  it("groups numerically sorted, counts and averages metric columns, no-value last", () => {
    const items = groupRows(rows, "params.lr", ["metrics.acc", "params.lr"], new Set());
    expect(items.map((i) => (i.kind === "group" ? `[${i.value}]` : i.row.id))).toEqual(["[2]", "b", "[10]", "a", "c", `[${NO_VALUE}]`, "d"]);
    const g10 = items[2] as GroupItem;
    expect(g10.count).toBe(2);
    expect(g10.means.get("metrics.acc")).toBe("0.7");
    expect(g10.means.has("params.lr")).toBe(false);
    expect((items[5] as GroupItem).means.has("metrics.acc")).toBe(false); // NaN only
  });

  it("hides the runs of collapsed groups", () => {
    const items = groupRows(rows, "params.lr", [], new Set(["10"]));
    expect(items.map((i) => (i.kind === "group" ? `[${i.value}]` : i.row.id))).toEqual(["[2]", "b", "[10]", `[${NO_VALUE}]`, "d"]);
    expect((items[2] as GroupItem).collapsed).toBe(true);
  });
});
