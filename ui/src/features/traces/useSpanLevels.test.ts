import { describe, expect, it } from "vitest";
import { otelSpan } from "@ardea/test/wire";
import { levelPageRefs, mergeLevels } from "./useSpanLevels";

const span = (id: string) => otelSpan({ span_id: id, name: id });

describe("levelPageRefs", () => {
  it("asks for the roots, each expanded span's first page and the extra pages", () => {
    expect(levelPageRefs(["a", ""], { a: ["tok1"] })).toEqual([
      { parent: "", token: "" },
      { parent: "a", token: "" },
      { parent: "a", token: "tok1" },
    ]);
  });
});

describe("mergeLevels", () => {
  it("joins a level's pages and keeps the last page's token", () => {
    const refs = levelPageRefs(["a"], { a: ["p2"] });
    const { levels, next } = mergeLevels(refs, [
      { data: { spans: [span("r")] }, isPending: false, error: null },
      { data: { spans: [span("x")], next_page_token: "p2" }, isPending: false, error: null },
      { data: { spans: [span("y")], next_page_token: "p3" }, isPending: false, error: null },
    ]);
    expect(levels.get("a")!.spans.map((s) => s.name)).toEqual(["x", "y"]);
    expect(levels.get("a")!.hasMore).toBe(true);
    expect(next.get("a")).toBe("p3");
    expect(levels.get("")).toMatchObject({ hasMore: false, loading: false });
  });
  it("marks levels loading or failed", () => {
    const refs = levelPageRefs(["a", "b"], {});
    const boom = new Error("boom");
    const { levels } = mergeLevels(refs, [
      { data: { spans: [] }, isPending: false, error: null },
      { isPending: true, error: null },
      { isPending: false, error: boom },
    ]);
    expect(levels.get("a")!.loading).toBe(true);
    expect(levels.get("b")!.error).toBe(boom);
  });
  it("collects the spans the pages say have children, as hex ids", () => {
    const refs = levelPageRefs(["a"], {});
    // "AAAAAAAAAAo=" is the base64 of 000000000000000a, as the span JSON carries ids.
    const { parents } = mergeLevels(refs, [
      { data: { spans: [span("r")], parent_span_ids: ["AAAAAAAAAAo="] }, isPending: false, error: null },
      { data: { spans: [span("x")], parent_span_ids: [] }, isPending: false, error: null },
    ]);
    expect(parents).toEqual(new Set(["000000000000000a"]));
  });
  it("knows nothing about children when a page does not say (older server)", () => {
    const refs = levelPageRefs(["a"], {});
    const { parents } = mergeLevels(refs, [
      { data: { spans: [span("r")], parent_span_ids: [] }, isPending: false, error: null },
      { data: { spans: [span("x")] }, isPending: false, error: null },
    ]);
    expect(parents).toBeNull();
  });
});
