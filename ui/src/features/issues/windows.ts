// The time windows the issues page offers for the traces whose failing verdicts are grouped.

/** The choices: a key, a label, and the window's length in ms (null: all time). */
export const WINDOWS: readonly { key: string; label: string; ms: number | null }[] = [
  { key: "1d", label: "the last day", ms: 24 * 3600 * 1000 },
  { key: "7d", label: "the last 7 days", ms: 7 * 24 * 3600 * 1000 },
  { key: "30d", label: "the last 30 days", ms: 30 * 24 * 3600 * 1000 },
  { key: "all", label: "all time", ms: null },
];

/** The earliest trace start (epoch ms) of window `key` ending `now`; undefined for all time. */
export function startOfWindow(key: string, now: number): number | undefined {
  const found = WINDOWS.find((w) => w.key === key);
  return found && found.ms !== null ? now - found.ms : undefined;
}
