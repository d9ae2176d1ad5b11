import { describe, expect, it } from "vitest";
import type { OtelSpan } from "@ardea/api/types";
import { otelSpan } from "@ardea/test/wire";
import { barPosition, collapseSpan, isLeaf, rootsDurationMs, spanDurationMs, timelineBounds, treeRows, type SpanLevel } from "./lazyTree";

const span = (hex: string, startMs = 0, endMs = startMs + 10): OtelSpan =>
  otelSpan({ span_id: hex, name: `n-${hex.slice(0, 2)}`, start_time_unix_nano: startMs * 1e6, end_time_unix_nano: endMs * 1e6 });
const id = (c: string) => c.repeat(16);
const level = (spans: OtelSpan[], more: Partial<SpanLevel> = {}): SpanLevel => ({ spans, loading: false, hasMore: false, error: null, ...more });

describe("treeRows", () => {
  const levels = new Map<string, SpanLevel>([
    ["", level([span(id("a")), span(id("f"))])],
    [id("a"), level([span(id("b")), span(id("c"))], { hasMore: true })],
    [id("b"), level([])],
  ]);

  it("lists loaded levels depth-first with a load-more row after a partial level", () => {
    const rows = treeRows(levels, new Set([id("a"), id("b")]));
    expect(rows.map((r) => (r.kind === "span" ? `${r.id.slice(0, 1)}:${r.depth}:${r.state}` : `${r.kind}:${r.depth}`))).toEqual([
      "a:0:open",
      "b:1:leaf",
      "c:1:closed",
      "more:1",
      "f:0:closed",
    ]);
  });

  it("hides collapsed levels and shows a loading row for a level being fetched", () => {
    expect(treeRows(levels, new Set())).toHaveLength(2);
    const rows = treeRows(new Map([["", level([span(id("a"))])], [id("a"), level([], { loading: true })]]), new Set([id("a")]));
    expect(rows.map((r) => r.kind)).toEqual(["span", "loading"]);
  });

  it("lists a span once even when the data loops", () => {
    const loop = new Map([["", level([span(id("a"))])], [id("a"), level([span(id("a"))])]]);
    expect(treeRows(loop, new Set([id("a")]))).toHaveLength(1);
  });
});

describe("carets", () => {
  it("shows no caret on a span the server lists no child of, before it is expanded", () => {
    const levels = new Map([["", level([span(id("a")), span(id("f"))])]]);
    const states = (p: ReadonlySet<string> | null) => treeRows(levels, new Set(), p).map((r) => (r.kind === "span" ? r.state : r.kind));
    expect(states(new Set([id("a")]))).toEqual(["closed", "leaf"]);
    expect(states(null)).toEqual(["closed", "closed"]);
  });

  it("is a leaf once its loaded level is empty, not while it loads or has more", () => {
    expect(isLeaf(id("a"), level([]), null)).toBe(true);
    expect(isLeaf(id("a"), level([], { loading: true }), null)).toBe(false);
    expect(isLeaf(id("a"), level([], { hasMore: true }), null)).toBe(false);
    expect(isLeaf(id("a"), undefined, null)).toBe(false);
    expect(isLeaf(id("a"), undefined, new Set([id("a")]))).toBe(false);
    expect(isLeaf(id("a"), undefined, new Set())).toBe(true);
  });

  it("does not list the children of an expanded leaf", () => {
    const levels = new Map([["", level([span(id("f"))])], [id("f"), level([], { loading: true })]]);
    expect(treeRows(levels, new Set([id("f")]), new Set()).map((r) => r.kind)).toEqual(["span"]);
  });
});

describe("collapseSpan", () => {
  it("drops the span and its expanded descendants, keeping others", () => {
    const levels = new Map([["", level([span(id("a")), span(id("f"))])], [id("a"), level([span(id("b"))])], [id("b"), level([span(id("c"))])]]);
    const out = collapseSpan(levels, new Set([id("a"), id("b"), id("c"), id("f")]), id("a"));
    expect([...out]).toEqual([id("f")]);
  });
});

describe("timeline", () => {
  it("spans the root spans when they are loaded, else the trace's request time and duration", () => {
    expect(timelineBounds(1000, 500, [span(id("a"), 999.5, 1400)])).toEqual([999.5, 1400]);
    expect(timelineBounds(1000, 500, [])).toEqual([1000, 1500]);
    expect(timelineBounds(Number.NaN, Number.NaN, [])).toEqual([0, 1]);
  });
  it("places the root of a sub-millisecond trace across the whole window", () => {
    // The info says: started at 1000 ms (whole ms), took 1 ms; the root ran 1000.6 .. 1000.98.
    const root = otelSpan({ span_id: id("a"), start_time_unix_nano: 1_000_600_000, end_time_unix_nano: 1_000_980_000 });
    const bounds = timelineBounds(1000, 1, [root]);
    const bar = barPosition(1000.6, 1000.98, bounds);
    expect(bar.left).toBeCloseTo(0, 6);
    expect(bar.width).toBeCloseTo(100, 6);
    expect(rootsDurationMs([root])).toBeCloseTo(0.38, 9);
    expect(spanDurationMs(root)).toBeCloseTo(0.38, 9);
    expect(rootsDurationMs([])).toBeNaN();
  });
  it("places bars in percent, clamped and at least 0.3% wide", () => {
    expect(barPosition(1250, 1500, [1000, 2000])).toEqual({ left: 25, width: 25 });
    expect(barPosition(1000, 1000, [1000, 2000]).width).toBe(0.3);
    expect(barPosition(500, 3000, [1000, 2000])).toEqual({ left: 0, width: 100 });
  });
});
