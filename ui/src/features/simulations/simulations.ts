// A conversation simulation run's traces (`ardea.evaluation.simulation`) grouped into
// conversations: each turn is a trace of the session `mlflow.trace.session`; the first turn
// carries the outcome tags and the session scores (feedbacks with the session in metadata).
import type { TraceInfo } from "@ardea/api/types";
import type { ChatMessage } from "@ardea/components/trace/chat";

export const SESSION = "mlflow.trace.session";
export const OUTCOME_TAG = "ardea.simulation.outcome";
export const REASON_TAG = "ardea.simulation.reason";
export const CASE = "ardea.simulation.case";

/** One session-level score on the conversation (a judge's or a code scorer's feedback). */
export interface SessionScore {
  name: string;
  value: string;
  rationale: string;
}

/** One simulated conversation as the page shows it. */
export interface SimConversation {
  sessionId: string;
  goal: string;
  persona: string;
  /** goal_reached | abandoned | max_turns | stopped | error ("" when not recorded). */
  outcome: string;
  reason: string;
  messages: ChatMessage[];
  turns: number;
  traceIds: string[];
  scores: SessionScore[];
}

const time = (t: TraceInfo) => Date.parse(t.request_time) || 0;

function scoreText(value: unknown): string {
  if (value === undefined || value === null) return "error";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function sessionScores(anchor: TraceInfo, sessionId: string): SessionScore[] {
  const latest = new Map<string, SessionScore>();
  for (const a of anchor.assessments ?? []) {
    if (!a.feedback || a.valid === false || a.metadata?.[SESSION] !== sessionId) continue;
    latest.set(a.assessment_name, { name: a.assessment_name, value: scoreText(a.feedback.value), rationale: a.rationale ?? "" });
  }
  return [...latest.values()].sort((x, y) => x.name.localeCompare(y.name));
}

function toConversation(sessionId: string, turns: TraceInfo[]): SimConversation {
  turns.sort((a, b) => time(a) - time(b) || a.trace_id.localeCompare(b.trace_id));
  const first = turns[0]!;
  const meta = first.trace_metadata ?? {};
  const messages: ChatMessage[] = [];
  for (const t of turns) {
    if (t.request_preview) messages.push({ role: "user", text: t.request_preview, toolCalls: [] });
    if (t.response_preview) messages.push({ role: "assistant", text: t.response_preview, toolCalls: [] });
  }
  return {
    sessionId,
    goal: meta["mlflow.simulation.goal"] ?? "",
    persona: meta["mlflow.simulation.persona"] ?? "",
    outcome: first.tags?.[OUTCOME_TAG] ?? "",
    reason: first.tags?.[REASON_TAG] ?? "",
    messages,
    turns: turns.length,
    traceIds: turns.map((t) => t.trace_id),
    scores: sessionScores(first, sessionId),
  };
}

/** Group a run's traces (any order) into conversations, in test-case order. */
export function groupConversations(traces: readonly TraceInfo[]): SimConversation[] {
  const by = new Map<string, TraceInfo[]>();
  for (const t of traces) {
    const id = t.trace_metadata?.[SESSION];
    if (!id) continue;
    const list = by.get(id) ?? [];
    list.push(t);
    by.set(id, list);
  }
  const out = [...by.entries()].map(([id, turns]) => toConversation(id, turns));
  // Test-case order (conversations run concurrently), else the order they started.
  const key = (c: SimConversation) => {
    const turns = by.get(c.sessionId)!;
    const index = Number(turns[0]!.trace_metadata?.[CASE] ?? NaN);
    return [Number.isFinite(index) ? index : Infinity, Math.min(...turns.map(time))] as const;
  };
  return out.sort((a, b) => {
    const [ia, ta] = key(a);
    const [ib, tb] = key(b);
    return (ia === ib ? 0 : ia < ib ? -1 : 1) || ta - tb || a.sessionId.localeCompare(b.sessionId);
  });
}

/** Did the conversation fail its goal (any outcome but goal_reached)? */
export const failedGoal = (c: SimConversation) => c.outcome !== "goal_reached";

/** `{outcome: count}` over the conversations. */
export function outcomeCounts(conversations: readonly SimConversation[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of conversations) counts[c.outcome || "unknown"] = (counts[c.outcome || "unknown"] ?? 0) + 1;
  return counts;
}
