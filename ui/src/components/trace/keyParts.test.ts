import { describe, expect, it } from "vitest";
import { keyParts } from "./keyParts";

describe("keyParts", () => {
  it("cuts a key after its separators, losing nothing", () => {
    expect(keyParts("gen_ai.usage.input_tokens")).toEqual(["gen_", "ai.", "usage.", "input_", "tokens"]);
    expect(keyParts("mlflow.spanInputs")).toEqual(["mlflow.", "spanInputs"]);
    expect(keyParts("a..b/c:d-e")).toEqual(["a..", "b/", "c:", "d-", "e"]);
    expect(keyParts("plain")).toEqual(["plain"]);
    expect(keyParts("trailing.")).toEqual(["trailing."]);
    expect(keyParts("")).toEqual([""]);
    for (const k of ["gen_ai.usage.input_tokens", "x.y_", "._-"]) expect(keyParts(k).join("")).toBe(k);
  });
});
