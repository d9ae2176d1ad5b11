import { describe, expect, it } from "vitest";
import { parseLinkedPrompts, versionsOf } from "./promptLineage";

describe("parseLinkedPrompts", () => {
  it("reads the tag's entries, versions as strings", () => {
    expect(parseLinkedPrompts('[{"name": "qa", "version": 2}, {"name": "b", "version": "1"}]')).toEqual([
      { name: "qa", version: "2" },
      { name: "b", version: "1" },
    ]);
  });

  it("ignores malformed values and entries", () => {
    expect(parseLinkedPrompts(undefined)).toEqual([]);
    expect(parseLinkedPrompts("not json")).toEqual([]);
    expect(parseLinkedPrompts('{"name": "qa"}')).toEqual([]);
    expect(parseLinkedPrompts('[{"name": "qa"}, null, 3]')).toEqual([]);
  });
});

describe("versionsOf", () => {
  it("keeps only the exact prompt name (LIKE on the server also matches longer names)", () => {
    const tag = '[{"name": "qa", "version": "1"}, {"name": "qa2", "version": "5"}, {"name": "qa", "version": "3"}]';
    expect(versionsOf(tag, "qa")).toEqual(["1", "3"]);
    expect(versionsOf(tag, "q")).toEqual([]);
  });
});
