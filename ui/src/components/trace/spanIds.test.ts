import { describe, expect, it } from "vitest";
import { spanHex } from "./spanIds";

describe("spanHex", () => {
  it("turns the base64 id of the span JSON into hex", () => {
    // 0x0123456789abcdef in base64
    expect(spanHex("ASNFZ4mrze8=")).toBe("0123456789abcdef");
  });
  it("keeps hex ids (lowercased) and empty ones", () => {
    expect(spanHex("AAAAAAAAAAAAAAAA")).toBe("aaaaaaaaaaaaaaaa");
    expect(spanHex(undefined)).toBe("");
  });
  it("returns text that is neither as it is", () => {
    expect(spanHex("not base64!")).toBe("not base64!");
  });
});
