import { describe, expect, it } from "vitest";
import type { TraceInfo } from "@ardea/api/types";
import { traceInfo } from "@ardea/test/wire";
import { groupSessions, isCutJson, turnMessages } from "./sessions";

function trace(id: string, session: string | undefined, time: string, request = "", state: "OK" | "ERROR" = "OK"): TraceInfo {
  const meta: Record<string, string> = session ? { "mlflow.trace.session": session, "mlflow.trace.user": "u1" } : {};
  return traceInfo({ trace_id: id, request_time: time, state, request_preview: request, trace_metadata: meta });
}

describe("groupSessions", () => {
  it("groups by session, most recently active first, with the earliest request", () => {
    const rows = groupSessions([
      trace("t4", "s2", "2024-01-01T00:04:00Z", "late"),
      trace("t3", "s1", "2024-01-01T00:03:00Z", "second", "ERROR"),
      trace("t2", "s2", "2024-01-01T00:02:00Z", "first of s2"),
      trace("t1", "s1", "2024-01-01T00:01:00Z", "first of s1"),
      trace("t0", undefined, "2024-01-01T00:05:00Z"),
    ]);
    expect(rows.map((r) => [r.id, r.turns, r.errors, r.firstRequest, r.user])).toEqual([
      ["s2", 2, 0, "first of s2", "u1"],
      ["s1", 2, 1, "first of s1", "u1"],
    ]);
    expect(rows[0]!.last - rows[0]!.first).toBe(120_000);
  });
});

describe("turnMessages", () => {
  it("takes the last user message and the reply from chat inputs and outputs", () => {
    const inputs = JSON.stringify({ messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }, { role: "user", content: "weather?" }] });
    const outputs = JSON.stringify({ choices: [{ message: { role: "assistant", content: "Rain." } }] });
    expect(turnMessages(inputs, outputs).map((m) => [m.role, m.text])).toEqual([
      ["user", "weather?"],
      ["assistant", "Rain."],
    ]);
  });
  it("falls back to the previews as text", () => {
    expect(turnMessages(undefined, undefined, '{"question": "Why?"}', '"Because."').map((m) => [m.role, m.text])).toEqual([
      ["user", "Why?"],
      ["assistant", "Because."],
    ]);
    expect(turnMessages(undefined, undefined)).toEqual([]);
  });
});

describe("isCutJson", () => {
  it("spots previews cut inside JSON", () => {
    expect(isCutJson('{"messages": [{"role": "us')).toBe(true);
    expect(isCutJson('{"a": 1}')).toBe(false);
    expect(isCutJson("plain text")).toBe(false);
  });
});
