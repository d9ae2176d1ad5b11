import { describe, expect, it } from "vitest";
import { quoteFilterValue, spanLevelQuery } from "./traces";

describe("trace queries", () => {
  it("quotes filter values with doubled quotes", () => {
    expect(quoteFilterValue("it's")).toBe("'it''s'");
  });
  it("keys span levels by trace, parent and page token", () => {
    expect(spanLevelQuery("tr-1", "", "").queryKey).toEqual(["trace-spans", "tr-1", "", ""]);
    expect(spanLevelQuery("tr-1", "ab", "p2").queryKey).toEqual(["trace-spans", "tr-1", "ab", "p2"]);
  });
});
