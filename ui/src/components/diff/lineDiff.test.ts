import { describe, expect, it } from "vitest";
import { lineDiff, MAX_CELLS } from "./lineDiff";

const kinds = (before: string, after: string) => lineDiff(before, after).map((l) => `${l.kind[0]}:${l.text}`);

describe("lineDiff", () => {
  it("marks identical texts as all the same", () => {
    expect(kinds("a\nb", "a\nb")).toEqual(["s:a", "s:b"]);
  });

  it("finds a changed line between common ones", () => {
    expect(kinds("Hello {{ name }}\nBe brief.\nBye", "Hello {{ name }}\nBe detailed.\nBye")).toEqual([
      "s:Hello {{ name }}",
      "d:Be brief.",
      "a:Be detailed.",
      "s:Bye",
    ]);
  });

  it("handles insertions, deletions and empty sides", () => {
    expect(kinds("a\nc", "a\nb\nc")).toEqual(["s:a", "a:b", "s:c"]);
    expect(kinds("a\nb\nc", "a\nc")).toEqual(["s:a", "d:b", "s:c"]);
    expect(kinds("", "x")).toEqual(["a:x"]);
    expect(kinds("x", "")).toEqual(["d:x"]);
    expect(kinds("", "")).toEqual([]);
  });

  it("keeps the longest common subsequence in a reordering", () => {
    const lines = lineDiff("a\nb\nc\nd", "b\nc\na\nd");
    expect(lines.filter((l) => l.kind === "same").map((l) => l.text)).toEqual(["b", "c", "d"]);
    expect(lines.filter((l) => l.kind !== "same")).toHaveLength(2);
  });

  it("numbers lines on both sides", () => {
    const lines = lineDiff("a\nb\nc", "a\nx\nc");
    expect(lines).toEqual([
      { kind: "same", text: "a", oldNo: 1, newNo: 1 },
      { kind: "del", text: "b", oldNo: 2 },
      { kind: "add", text: "x", newNo: 2 },
      { kind: "same", text: "c", oldNo: 3, newNo: 3 },
    ]);
  });

  it("falls back to removed-then-added for huge changed middles", () => {
    const side = Math.ceil(Math.sqrt(MAX_CELLS)) + 1;
    const before = Array.from({ length: side }, (_, i) => `old ${i}`).join("\n");
    const after = Array.from({ length: side }, (_, i) => `new ${i}`).join("\n");
    const lines = lineDiff(before, after);
    expect(lines).toHaveLength(2 * side);
    expect(lines[0]!.kind).toBe("del");
    expect(lines[side]!.kind).toBe("add");
  });
});
