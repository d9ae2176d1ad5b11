import { describe, expect, it } from "vitest";
import type { OtelSpan } from "@ardea/api/types";
import { childrenOf, flattenSpans } from "./spanTree";

const s = (id: string, parent: string | undefined, start: number): OtelSpan => ({
  trace_id: "t",
  span_id: id,
  parent_span_id: parent,
  name: id,
  start_time_unix_nano: start,
});

describe("span tree", () => {
  const spans = [s("root", undefined, 0), s("b", "root", 20), s("a", "root", 10), s("a1", "a", 11), s("orphan", "gone", 5)];

  it("lists spans depth-first, children by start time, orphans as roots", () => {
    const rows = flattenSpans(childrenOf(spans), new Set());
    expect(rows.map((r) => [r.span.span_id, r.depth])).toEqual([
      ["root", 0],
      ["a", 1],
      ["a1", 2],
      ["b", 1],
      ["orphan", 0],
    ]);
    expect(rows[0]!.childCount).toBe(2);
  });

  it("hides the children of collapsed spans", () => {
    const rows = flattenSpans(childrenOf(spans), new Set(["a"]));
    expect(rows.map((r) => r.span.span_id)).toEqual(["root", "a", "b", "orphan"]);
  });

  it("handles a 100,000-deep chain without recursion", () => {
    const chain = Array.from({ length: 100_000 }, (_, i) => s(`s${i}`, i ? `s${i - 1}` : undefined, i));
    const rows = flattenSpans(childrenOf(chain), new Set());
    expect(rows).toHaveLength(100_000);
    expect(rows[99_999]!.depth).toBe(99_999);
  });
});
