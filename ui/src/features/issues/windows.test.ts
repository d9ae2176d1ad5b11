import { describe, expect, it } from "vitest";
import { startOfWindow } from "./windows";

describe("startOfWindow", () => {
  it("subtracts the window's length", () => {
    expect(startOfWindow("1d", 100_000_000)).toBe(100_000_000 - 86_400_000);
  });
  it("is undefined for all time and unknown keys", () => {
    expect(startOfWindow("all", 5)).toBeUndefined();
    expect(startOfWindow("nope", 5)).toBeUndefined();
  });
});
