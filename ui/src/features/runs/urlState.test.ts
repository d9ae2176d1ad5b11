import { describe, expect, it } from "vitest";
import { orderByFor, quoteKey, readRunsView, writeRunsView } from "./urlState";

describe("runs URL state", () => {
  it("round-trips filter, order, columns and selection", () => {
    const p = writeRunsView(new URLSearchParams("other=1"), {
      filter: "metrics.acc > 0.5",
      sort: "metrics.acc",
      desc: false,
      columns: ["params.lr", "metrics.acc"],
      selected: ["r1", "r2"],
      group: "params.lr",
      view: "charts",
    });
    expect(p.get("other")).toBe("1");
    expect(readRunsView(p)).toEqual({
      filter: "metrics.acc > 0.5",
      sort: "metrics.acc",
      desc: false,
      columns: ["params.lr", "metrics.acc"],
      selected: ["r1", "r2"],
      group: "params.lr",
      view: "charts",
    });
  });

  it("tells the default columns (no col) from an explicit choice of none (col=)", () => {
    expect(readRunsView(new URLSearchParams()).columns).toBeNull();
    const none = writeRunsView(new URLSearchParams("col=metrics.acc"), { columns: [] });
    expect(none.toString()).toBe("col=");
    expect(readRunsView(none).columns).toEqual([]);
    expect(writeRunsView(none, { columns: null }).toString()).toBe("");
  });

  it("defaults to newest first and leaves defaults out of the URL", () => {
    const p = writeRunsView(new URLSearchParams(), {});
    expect(p.toString()).toBe("");
    expect(orderByFor(readRunsView(p).sort, readRunsView(p).desc)).toEqual(["attributes.start_time DESC"]);
  });

  it("quotes keys the grammar cannot take bare", () => {
    expect(quoteKey("val_loss")).toBe("val_loss");
    expect(quoteKey("my key-1")).toBe("`my key-1`");
    expect(orderByFor("params.batch size", false)).toEqual(["params.`batch size` ASC"]);
  });
});
