import { describe, expect, it } from "vitest";
import { traceInfo } from "@ardea/test/wire";
import { toTraceRow, truncate, userTags } from "./traceRows";

describe("toTraceRow", () => {
  it("reads latency, tokens, session and time from TraceInfoV3", () => {
    const row = toTraceRow(traceInfo({
      trace_id: "tr-1",
      request_time: "2023-11-14T22:13:20.000Z",
      execution_duration: "1.250s",
      state: "OK",
      request_preview: '{"q": "hi"}',
      trace_metadata: { "mlflow.trace.tokenUsage": '{"total_tokens": 42}', "mlflow.trace.session": "s-9" },
      tags: { "mlflow.traceName": "agent" },
    }));
    expect(row).toMatchObject({ id: "tr-1", name: "agent", latency: 1250, tokens: "42", session: "s-9", time: 1_700_000_000_000 });
  });

  it("leaves absent fields empty", () => {
    const info = traceInfo({ trace_id: "tr-2", trace_metadata: { "mlflow.trace.tokenUsage": "not json" } });
    delete info.execution_duration;
    const row = toTraceRow(info);
    expect(row.tokens).toBe("");
    expect(Number.isNaN(row.latency)).toBe(true);
    expect(row.cost).toBeUndefined();
  });

  it("reads the cost MLflow writes as metadata", () => {
    const row = toTraceRow(traceInfo({ trace_id: "tr-3", trace_metadata: { "mlflow.trace.cost": '{"total_cost": 0.0125}' } }));
    expect(row.cost).toBe(0.0125);
  });
});

describe("userTags", () => {
  it("leaves out MLflow's own tags and sorts by key", () => {
    expect(userTags({ "mlflow.traceName": "agent", team: "a", env: "prod", "mlflow.user": "x", "mlflowish": "y" })).toEqual([
      ["env", "prod"],
      ["mlflowish", "y"],
      ["team", "a"],
    ]);
    expect(userTags(undefined)).toEqual([]);
  });

  it("are part of the row", () => {
    expect(toTraceRow(traceInfo({ trace_id: "t", tags: { "mlflow.traceName": "n", k: "v" } })).tags).toEqual([["k", "v"]]);
  });
});

describe("truncate", () => {
  it("keeps short text and cuts long text with an ellipsis", () => {
    expect(truncate("short", 10)).toBe("short");
    expect(truncate("abcdefghij", 10)).toBe("abcdefghij");
    expect(truncate("abcdefghijk", 10)).toBe("abcdefghi…");
    expect(truncate("🙂🙂🙂", 2)).toBe("🙂…");
  });
});
