// A page's time range (the experiment overview's, the gateway's), kept in the URL: `?range=1h|24h|7d|30d` (default 24h), or
// `?range=custom&from=<epoch ms>&to=<epoch ms>`.

export type RangeKey = "1h" | "24h" | "7d" | "30d" | "custom";

const HOUR = 3_600_000;

export const PRESETS: { key: Exclude<RangeKey, "custom">; label: string; ms: number }[] = [
  { key: "1h", label: "Last hour", ms: HOUR },
  { key: "24h", label: "Last 24 hours", ms: 24 * HOUR },
  { key: "7d", label: "Last 7 days", ms: 7 * 24 * HOUR },
  { key: "30d", label: "Last 30 days", ms: 30 * 24 * HOUR },
];

export const DEFAULT_RANGE: RangeKey = "24h";
/** How many time buckets the server splits the range into. */
export const BUCKETS = 60;

export interface ResolvedRange {
  key: RangeKey;
  startMs: number;
  endMs: number;
  /** Why a custom range was not usable (the default range is used instead). */
  error?: string;
}

/** "Now" rounded up to the next minute: the query key stays the same within a minute. */
export function roundNow(now: number): number {
  return Math.ceil(now / 60_000) * 60_000;
}

function preset(key: RangeKey, now: number): ResolvedRange {
  const p = PRESETS.find((x) => x.key === key) ?? PRESETS[1]!;
  const endMs = roundNow(now);
  return { key: p.key, startMs: endMs - p.ms, endMs };
}

/** The range the URL asks for, resolved against `now` (epoch ms). */
export function resolveRange(params: URLSearchParams, now: number): ResolvedRange {
  const key = params.get("range") ?? DEFAULT_RANGE;
  if (key !== "custom") return preset(key as RangeKey, now);
  const from = Number(params.get("from") ?? "");
  const to = Number(params.get("to") ?? "");
  if (!params.get("from") || !params.get("to") || !Number.isFinite(from) || !Number.isFinite(to) || from < 0) {
    return { ...preset(DEFAULT_RANGE, now), key: "custom", error: "Choose both ends of the custom range." };
  }
  if (to <= from) {
    return { ...preset(DEFAULT_RANGE, now), key: "custom", error: "The custom range must end after it starts." };
  }
  return { key: "custom", startMs: from, endMs: to };
}

/** Epoch ms as a `datetime-local` input value (local time, minutes). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (x: number) => String(x).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` input value as epoch ms (NaN when empty or invalid). */
export function fromLocalInput(value: string): number {
  if (!value) return Number.NaN;
  return new Date(value).getTime();
}
