import { describe, expect, it } from "vitest";
import type { TraceInfo } from "@ardea/api/types";
import { failedGoal, groupConversations, outcomeCounts } from "./simulations";

const info = (id: string, session: string | undefined, time: string, extra: Partial<TraceInfo> = {}) =>
  ({
    trace_id: id,
    request_time: time,
    state: "OK",
    tags: {},
    assessments: [],
    trace_metadata: session ? { "mlflow.trace.session": session } : {},
    trace_location: { type: "MLFLOW_EXPERIMENT" },
    ...extra,
  }) as unknown as TraceInfo;

describe("groupConversations", () => {
  it("groups by session, orders turns and conversations by time, ignores traces outside sessions", () => {
    const got = groupConversations([
      info("b1", "B", "2024-01-01T00:00:03Z", { request_preview: "b?", response_preview: "b!" }),
      info("a2", "A", "2024-01-01T00:00:02Z", { request_preview: "a2?" }),
      info("a1", "A", "2024-01-01T00:00:01Z", { request_preview: "a1?", response_preview: "a1!", tags: { "ardea.simulation.outcome": "max_turns" } }),
      info("x", undefined, "2024-01-01T00:00:00Z"),
    ]);
    expect(got.map((c) => c.sessionId)).toEqual(["A", "B"]);
    expect(got[0]!.traceIds).toEqual(["a1", "a2"]);
    expect(got[0]!.messages.map((m) => `${m.role}:${m.text}`)).toEqual(["user:a1?", "assistant:a1!", "user:a2?"]);
    expect(got[0]!.outcome).toBe("max_turns");
    expect(failedGoal(got[0]!)).toBe(true);
    expect(outcomeCounts(got)).toEqual({ max_turns: 1, unknown: 1 });
  });

  it("orders conversations by test case when the traces say, whatever started first", () => {
    const meta = (session: string, index: string) => ({ trace_metadata: { "mlflow.trace.session": session, "ardea.simulation.case": index } });
    const got = groupConversations([
      info("x", "X", "2024-01-01T00:00:01Z", meta("X", "1")),
      info("y", "Y", "2024-01-01T00:00:02Z", meta("Y", "0")),
    ]);
    expect(got.map((c) => c.sessionId)).toEqual(["Y", "X"]);
  });

  it("keeps only the session's valid feedbacks as scores; a failed judge shows as error", () => {
    const fb = (name: string, value: unknown, session: string, valid = true) => ({
      assessment_name: name,
      feedback: { value },
      metadata: { "mlflow.trace.session": session },
      valid,
    });
    const [c] = groupConversations([
      info("a1", "A", "2024-01-01T00:00:01Z", {
        assessments: [fb("turns", 3, "A"), fb("judge", null, "A"), fb("other", "x", "B"), fb("old", "no", "A", false)] as unknown as TraceInfo["assessments"],
      }),
    ]);
    expect(c!.scores).toEqual([
      { name: "judge", value: "error", rationale: "" },
      { name: "turns", value: "3", rationale: "" },
    ]);
  });
});
