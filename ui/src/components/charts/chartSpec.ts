// What a time chart draws (`TimeChart`): its x axis, series and unit, and how a unit prints.

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  /** The edge of a band (an interval bound): drawn thin and dashed, without points. */
  edge?: boolean;
}

/** A filled area between two series (indices into `series`), e.g. a confidence interval. */
export interface Band {
  upper: number;
  lower: number;
  color: string;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** uPlot's x axis: bucket starts in epoch seconds. */
  x: number[];
  series: Series[];
  /** How to print a value on the axis and in the legend. */
  unit: "count" | "ms" | "tokens" | "cost" | "ratio";
  /** Areas filled between pairs of series. */
  bands?: Band[];
}

/** A colour (`#rrggbb`) at `alpha` opacity, for band fills. */
export function translucent(color: string, alpha: number): string {
  const hex = color.replace("#", "");
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** The charts' series colours, in order. */
export const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#9333ea", "#0891b2", "#db2777", "#65a30d"];

/** A value as the chart's unit prints it ("" for none). */
export function formatValue(value: number | null | undefined, unit: ChartSpec["unit"]): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "";
  switch (unit) {
    case "ms":
      return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`;
    case "ratio":
      return `${Math.round(value * 1000) / 10}%`;
    case "cost":
      return value === 0 ? "0" : value < 0.01 ? value.toExponential(2) : value.toFixed(2);
    case "tokens":
    case "count":
      return value >= 1e6 ? `${(value / 1e6).toFixed(1)}M` : value >= 1e4 ? `${(value / 1e3).toFixed(1)}k` : String(Math.round(value));
  }
}
