import type uPlot from "uplot";
import { describe, expect, it } from "vitest";
import { formatCursorX, tooltipPlugin } from "./uplotTooltip";

// The plugin only reads these fields of the chart; a plain object stands in for a drawn uPlot.
function chart(cursor: Partial<uPlot.Cursor>) {
  const over = document.createElement("div");
  return {
    over,
    cursor,
    series: [{ label: "step" }, { label: "<img src=x onerror=alert(1)>", show: true }, { label: "b", show: true }, { label: "hidden", show: false }],
    data: [
      [0, 1, 2],
      [0.5, undefined, 0.7],
      [1, 2, 3],
      [9, 9, 9],
    ],
  } as unknown as uPlot;
}

describe("tooltipPlugin", () => {
  it("lists each shown run's value at the cursor as text", () => {
    const plugin = tooltipPlugin((x) => formatCursorX("step", x));
    const u = chart({ left: 10, top: 10, idx: 1, idxs: [1, 2, 1, 1] });
    const hooks = plugin.hooks as { init: (u: uPlot) => void; setCursor: (u: uPlot) => void };
    hooks.init(u);
    hooks.setCursor(u);
    const tip = u.over.querySelector<HTMLElement>("[role=tooltip]")!;
    expect(tip.style.display).toBe("block");
    expect(tip.textContent).toBe("step 1\n<img src=x onerror=alert(1)>: 0.7\nb: 2");
    expect(tip.querySelector("img")).toBeNull();
    (u as unknown as { cursor: Partial<uPlot.Cursor> }).cursor = { left: -10, top: -10, idx: null };
    hooks.setCursor(u);
    expect(tip.style.display).toBe("none");
  });

  it("formats the x value per axis", () => {
    expect(formatCursorX("step", 12)).toBe("step 12");
    expect(formatCursorX("relative", 1.23456)).toBe("1.235 s");
    expect(formatCursorX("time", 0)).toBe(new Date(0).toLocaleString());
  });
});
