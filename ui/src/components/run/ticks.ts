// Axis ticks for counts and steps: integer axes tick on integers only (a 0..3 step axis gets
// 0, 1, 2, 3, never 0.5).

/** The increments ticks may use: 1, 2, 5, 10, 20, 50, ... */
function niceIncrement(raw: number): number {
  const base = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1))));
  for (const m of [1, 2, 5, 10]) if (m * base >= raw) return m * base;
  return 10 * base;
}

/**
 * Integer tick values between `min` and `max`, about `target` of them (at least one apart, at
 * 1, 2 or 5 times a power of ten). Empty when the range holds no integer.
 */
export function integerSplits(min: number, max: number, target: number): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return [];
  const step = niceIncrement((max - min) / Math.max(1, target));
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) out.push(Math.round(v) + 0); // + 0: no -0
  return out;
}

/** Whether every value is an integer (empty and non-finite values ignored): the axis of steps or counts. */
export function allIntegers(values: ArrayLike<number | null | undefined>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && Number.isFinite(v) && !Number.isInteger(v)) return false;
  }
  return true;
}

/** About how many ticks fit along `pixels` with `spacing` pixels between them. */
export function tickCount(pixels: number, spacing = 60): number {
  return Math.max(2, Math.floor(pixels / spacing));
}

/** Width or height of a chart, in CSS pixels, as uPlot knows it. */
interface Sized {
  width: number;
  height: number;
}

/**
 * A uPlot axis `splits` option that ticks on integers only, about one tick per 70 px across or
 * 40 px up: for step axes, and for value axes whose values are all integers. `onTicks` sees each
 * set of ticks drawn (the charts write them to a `data-*-ticks` attribute for tests).
 */
export function integerTicks(
  dir: "x" | "y",
  onTicks?: (ticks: number[]) => void,
): { splits: (u: Sized, axisIdx: number, min: number, max: number) => number[] } {
  return {
    splits: (u, _axisIdx, min, max) => {
      const ticks = integerSplits(min, max, dir === "x" ? tickCount(u.width, 70) : tickCount(u.height, 40));
      onTicks?.(ticks);
      return ticks;
    },
  };
}

/** Records an axis's ticks on an element as `data-<dir>-ticks="0,1,2"`. */
export function recordTicks(el: HTMLElement | null, dir: "x" | "y"): (ticks: number[]) => void {
  return (ticks) => el?.setAttribute(`data-${dir}-ticks`, ticks.join(","));
}
