// A uPlot plugin: a tooltip at the cursor listing every visible series' value there.
import type uPlot from "uplot";
import { cursorLines, tooltipAnchor } from "./plotHover";

/**
 * The tooltip plugin for overlaid charts. `formatX` turns the cursor's x value into text. The
 * tooltip is a div inside the plot overlay whose text is set with `textContent` (never HTML);
 * each series' value comes from uPlot's per-series cursor index, so a run without a point at
 * this exact x shows its nearest one (as the legend does).
 */
export function tooltipPlugin(formatX: (x: number) => string): uPlot.Plugin {
  let tip: HTMLDivElement | null = null;
  const hide = () => {
    if (tip) tip.style.display = "none";
  };
  return {
    hooks: {
      init: (u) => {
        tip = document.createElement("div");
        tip.className = "plot-tooltip";
        tip.setAttribute("role", "tooltip");
        tip.setAttribute("data-testid", "chart-tooltip");
        tip.style.display = "none";
        u.over.appendChild(tip);
        u.over.addEventListener("mouseleave", hide);
      },
      setCursor: (u) => {
        const { left, top, idx } = u.cursor;
        if (!tip) return;
        if (idx === null || idx === undefined || left === undefined || top === undefined || left < 0) {
          hide();
          return;
        }
        const series = u.series.slice(1).flatMap((s, i) => {
          if (s.show === false) return [];
          const di = u.cursor.idxs?.[i + 1] ?? idx;
          const v = di === null ? null : u.data[i + 1]?.[di];
          return [{ label: typeof s.label === "string" ? s.label : "", value: v ?? null }];
        });
        const xValue = u.data[0][idx];
        tip.textContent = cursorLines(xValue === undefined ? "" : formatX(xValue), series).join("\n");
        const a = tooltipAnchor({ x: left, y: top }, u.over.clientWidth, u.over.clientHeight);
        tip.style.left = a.left === undefined ? "" : `${a.left}px`;
        tip.style.right = a.right === undefined ? "" : `${a.right}px`;
        tip.style.top = a.top === undefined ? "" : `${a.top}px`;
        tip.style.bottom = a.bottom === undefined ? "" : `${a.bottom}px`;
        tip.style.display = "block";
      },
      destroy: (u) => {
        u.over.removeEventListener("mouseleave", hide);
        tip = null;
      },
    },
  };
}

/** The cursor's x value as text: "step 12", a local date-time, or "12.5 s" (relative time). */
export function formatCursorX(axis: "step" | "time" | "relative", x: number): string {
  if (axis === "time") return new Date(x * 1000).toLocaleString();
  if (axis === "relative") return `${Math.round(x * 1000) / 1000} s`;
  return `step ${x}`;
}
