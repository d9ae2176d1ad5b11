// Sessions (traces grouped by the `mlflow.trace.session` metadata) and their turns.
import type { TraceInfo } from "@ardea/api/types";
import { toChat, type ChatMessage } from "@ardea/components/trace/chat";
import { parseMaybeJson } from "@ardea/lib/otel";
import { toTraceRow } from "./traceRows";

/** One session as the sessions list shows it (from the loaded traces). */
export interface SessionRow {
  id: string;
  /** Traces of the session among the loaded ones. */
  turns: number;
  errors: number;
  /** Epoch ms of its first and last loaded trace. */
  first: number;
  last: number;
  /** The request preview of its earliest loaded trace. */
  firstRequest: string;
  user: string;
}

/** Group traces (any order) by session, the most recently active session first. */
export function groupSessions(traces: readonly TraceInfo[]): SessionRow[] {
  const by = new Map<string, SessionRow>();
  for (const t of traces) {
    const id = t.trace_metadata?.["mlflow.trace.session"];
    if (!id) continue;
    const row = toTraceRow(t);
    const time = Number.isFinite(row.time) ? row.time : 0;
    let s = by.get(id);
    if (!s) {
      s = { id, turns: 0, errors: 0, first: Infinity, last: -Infinity, firstRequest: "", user: "" };
      by.set(id, s);
    }
    s.turns += 1;
    if (row.state === "ERROR") s.errors += 1;
    if (time < s.first) {
      s.first = time;
      s.firstRequest = row.request;
    }
    s.last = Math.max(s.last, time);
    s.user ||= t.trace_metadata?.["mlflow.trace.user"] ?? "";
  }
  return [...by.values()].sort((a, b) => b.last - a.last || a.id.localeCompare(b.id));
}

function plain(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object" && !Array.isArray(value)) {
    const strings = Object.values(value).filter((v): v is string => typeof v === "string");
    if (strings.length === 1) return strings[0]!;
  }
  return JSON.stringify(value);
}

/**
 * One turn of a session as messages: the last user message of the inputs (or the inputs as
 * text) and the reply (the outputs' messages, or the outputs as text). `inputs`/`outputs` are
 * the root span's (JSON text or values); the previews stand in when they are absent.
 */
export function turnMessages(inputs: unknown, outputs: unknown, requestPreview = "", responsePreview = ""): ChatMessage[] {
  const out: ChatMessage[] = [];
  const inValue = inputs === undefined ? parseMaybeJson(requestPreview) : parseMaybeJson(inputs);
  const inChat = toChat(inValue);
  const users = inChat?.filter((m) => m.role === "user") ?? [];
  const lastUser = users[users.length - 1];
  if (lastUser) out.push(lastUser);
  else {
    const text = plain(inValue);
    if (text) out.push({ role: "user", text, toolCalls: [] });
  }
  const outValue = outputs === undefined ? parseMaybeJson(responsePreview) : parseMaybeJson(outputs);
  const outChat = toChat(outValue);
  if (outChat) out.push(...outChat.filter((m) => m.role !== "user" && m.role !== "system"));
  else {
    const text = plain(outValue);
    if (text) out.push({ role: "assistant", text, toolCalls: [] });
  }
  return out;
}

/** True when a preview is cut-off JSON (previews stop at 1,000 characters): read the root span instead. */
export function isCutJson(preview: string): boolean {
  const t = preview.trimStart();
  if (!t.startsWith("{") && !t.startsWith("[")) return false;
  try {
    JSON.parse(t);
    return false;
  } catch {
    return true;
  }
}
