// How span statuses and trace states are shown: one badge style, with an unset status as a
// neutral badge (OpenTelemetry's default for a span that ended without an error), not an alarm.

export type StatusTone = "ok" | "error" | "warn" | "neutral";

export interface StatusView {
  label: string;
  tone: StatusTone;
  /** A tooltip explaining the label. */
  title: string;
}

const UNSET: StatusView = { label: "unset", tone: "neutral", title: "No status set: the span ended without reporting an error" };

/** A span's OpenTelemetry status code ("STATUS_CODE_OK", "OK", "UNSET", absent...) as a badge. */
export function spanStatusView(code: string | undefined): StatusView {
  const c = (code ?? "").replace(/^STATUS_CODE_/, "").toUpperCase();
  if (c === "OK") return { label: "OK", tone: "ok", title: "The span reported success" };
  if (c === "ERROR") return { label: "ERROR", tone: "error", title: "The span reported an error" };
  return UNSET;
}

/** A trace's state (TraceInfoV3 `state`: OK, ERROR, IN_PROGRESS, STATE_UNSPECIFIED) as a badge. */
export function traceStateView(state: string | undefined): StatusView {
  if (state === "OK") return { label: "OK", tone: "ok", title: "The trace finished without an error" };
  if (state === "ERROR") return { label: "ERROR", tone: "error", title: "The trace's root span reported an error" };
  if (state === "IN_PROGRESS") return { label: "in progress", tone: "warn", title: "The trace's root span has not ended" };
  return { label: "—", tone: "neutral", title: state ? `State: ${state}` : "No state" };
}
