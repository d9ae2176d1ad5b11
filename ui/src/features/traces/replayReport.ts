/** The replay result a trace made by `ardea.replay` carries in its `ardea.replay.result` tag. */

export const REPLAY_RESULT_TAG = "ardea.replay.result";

export interface ReplayDivergence {
  kind: string;
  step: number;
  span_name: string;
  message: string;
  /** The recorded call (or output) as pretty JSON. */
  expected: string;
  /** What the new run did, as pretty JSON ("null" for a missing call). */
  got: string;
}

export interface ReplayReportData {
  source_trace_id: string;
  mode: string;
  passed: boolean;
  served: number;
  /** `[kind, name, served, matched]` per recorded call. */
  steps: [string, string, boolean, boolean][];
  steps_left_out?: number;
  divergence?: ReplayDivergence;
}

/** The tag's report, or null when the trace is not a replay (or the tag is not a report). */
export function parseReplayReport(tags: Record<string, string> | undefined): ReplayReportData | null {
  const raw = tags?.[REPLAY_RESULT_TAG];
  if (!raw) return null;
  try {
    const doc = JSON.parse(raw) as ReplayReportData;
    if (typeof doc !== "object" || doc === null || typeof doc.source_trace_id !== "string" || !Array.isArray(doc.steps)) return null;
    return doc;
  } catch {
    return null;
  }
}

/** Each line of `text`, flagged when the `other` side does not have it (a line-level diff). */
export function markLines(text: string, other: string): { line: string; changed: boolean }[] {
  const left = new Map<string, number>();
  for (const line of other.split("\n")) left.set(line, (left.get(line) ?? 0) + 1);
  return text.split("\n").map((line) => {
    const n = left.get(line) ?? 0;
    if (n > 0) left.set(line, n - 1);
    return { line, changed: n === 0 };
  });
}
