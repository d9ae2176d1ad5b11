// Formatting of the numbers and times the MLflow API sends (int64 may arrive as strings).

/** A wire number (number, numeric string, "NaN", "Infinity") as a JS number; NaN if absent. */
export function toNumber(value: number | string | undefined | null): number {
  if (value === undefined || value === null || value === "") return Number.NaN;
  return typeof value === "number" ? value : Number(value);
}

/** Epoch milliseconds as a local date-time ("" when absent). */
export function formatTime(ms: number | string | undefined): string {
  const n = toNumber(ms);
  if (!Number.isFinite(n) || n <= 0) return "";
  const d = new Date(n);
  const pad = (x: number) => String(x).padStart(2, "0");
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/**
 * A duration in milliseconds as "420µs", "2.5ms", "850ms", "12.3s", "4m 05s" or "2h 03m" ("" when
 * unknown). Under a millisecond it is whole microseconds, so a 0.4 ms span never reads "0ms";
 * under 10 ms it keeps one decimal.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "";
  const us = Math.round(ms * 1000);
  if (us < 1000) return `${us}µs`;
  if (ms < 9.95) return `${Number(ms.toFixed(1))}ms`;
  if (ms < 999.5) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, "0")}m`;
}

/** The run's duration: end (or now while running) minus start. */
export function runDuration(start: number | string | undefined, end: number | string | undefined, now = Date.now()): number {
  const s = toNumber(start);
  if (!Number.isFinite(s) || s <= 0) return Number.NaN;
  const e = toNumber(end);
  return (Number.isFinite(e) && e > 0 ? e : now) - s;
}

/** A metric value for a table cell: up to 6 significant digits, NaN/Infinity spelled out. */
export function formatMetric(value: number | string | undefined): string {
  const n = toNumber(value);
  if (value === undefined) return "";
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  return String(Number(n.toPrecision(6)));
}

/** A file size in bytes as "812 B", "10.2 KiB" or "3.4 MiB" ("" when unknown). */
export function formatBytes(value: number | string | undefined | null): string {
  const n = toNumber(value);
  if (!Number.isFinite(n) || n < 0) return "";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
