import { describe, expect, it } from "vitest";
import { DEFAULT_TRACE_SORT, formatTraceSort, parseTraceSort, toggleTraceSort, traceOrderBy, withParam } from "./traceSort";

describe("trace sort in the URL", () => {
  it("parses a known key and direction", () => {
    expect(parseTraceSort("execution_time_ms:desc")).toEqual({ key: "execution_time_ms", desc: true });
    expect(parseTraceSort("request_id:ASC")).toEqual({ key: "request_id", desc: false });
    expect(parseTraceSort("status")).toEqual({ key: "status", desc: true });
  });

  it("falls back to newest first for anything unknown or malformed", () => {
    for (const raw of [null, undefined, "", "name:desc", "execution_time_ms:sideways", "timestamp_ms DESC", ":desc", "a:b:c"]) {
      expect(parseTraceSort(raw)).toEqual(DEFAULT_TRACE_SORT);
    }
  });

  it("round-trips, leaving the default out of the URL", () => {
    expect(formatTraceSort(DEFAULT_TRACE_SORT)).toBe("");
    for (const s of [{ key: "status", desc: false }, { key: "timestamp_ms", desc: false }, { key: "execution_time_ms", desc: true }] as const) {
      expect(parseTraceSort(formatTraceSort(s))).toEqual(s);
    }
  });

  it("flips the sorted column and starts another descending", () => {
    const latency = toggleTraceSort(DEFAULT_TRACE_SORT, "execution_time_ms");
    expect(latency).toEqual({ key: "execution_time_ms", desc: true });
    expect(toggleTraceSort(latency, "execution_time_ms")).toEqual({ key: "execution_time_ms", desc: false });
    expect(toggleTraceSort(DEFAULT_TRACE_SORT, "timestamp_ms")).toEqual({ key: "timestamp_ms", desc: false });
  });

  it("orders by the column, then newest first, never naming a key twice", () => {
    expect(traceOrderBy(DEFAULT_TRACE_SORT)).toEqual(["timestamp_ms DESC"]);
    expect(traceOrderBy({ key: "timestamp_ms", desc: false })).toEqual(["timestamp_ms ASC"]);
    expect(traceOrderBy({ key: "execution_time_ms", desc: true })).toEqual(["execution_time_ms DESC", "timestamp_ms DESC"]);
  });
});

describe("withParam", () => {
  it("sets or drops one parameter, keeping the others", () => {
    const cur = new URLSearchParams("filter=a&sort=status:asc");
    expect(withParam(cur, "sort", "").toString()).toBe("filter=a");
    expect(withParam(cur, "filter", "b = 'x'").get("filter")).toBe("b = 'x'");
    expect(withParam(cur, "filter", "b").get("sort")).toBe("status:asc");
    expect(cur.toString()).toBe("filter=a&sort=status%3Aasc");
  });
});
