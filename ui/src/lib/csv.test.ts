import { describe, expect, it } from "vitest";
import { parseCsv } from "./csv";

describe("parseCsv", () => {
  it("reads quoted fields with separators, doubled quotes and newlines", () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n"multi\nline",2\n')).toEqual([
      ["a", "b"],
      ["x, y", 'say "hi"'],
      ["multi\nline", "2"],
    ]);
  });

  it("stops at maxRows and reads TSV", () => {
    expect(parseCsv("1\t2\n3\t4\n5\t6", "\t", 2)).toEqual([
      ["1", "2"],
      ["3", "4"],
    ]);
  });
});
