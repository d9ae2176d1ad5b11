import { describe, expect, it } from "vitest";
import { compactJson, parseExpectations, parseJsonObject, recordCount } from "./datasetJson";

describe("dataset JSON helpers", () => {
  it("read MLflow's JSON-string fields safely", () => {
    expect(parseJsonObject('{"a": 1}')).toEqual({ a: 1 });
    expect(parseJsonObject("[1]")).toEqual({});
    expect(parseJsonObject("not json")).toEqual({});
    expect(parseJsonObject(undefined)).toEqual({});
    expect(recordCount('{"num_records": 4}')).toBe(4);
    expect(recordCount("{}")).toBeUndefined();
    expect(compactJson({ q: "x" })).toBe('{"q":"x"}');
    expect(compactJson(undefined)).toBe("—");
  });

  it("accept only a JSON object as expectations", () => {
    expect(parseExpectations('{"answer": "a"}')).toEqual({ value: { answer: "a" } });
    expect(parseExpectations("[1]")).toEqual({ error: expect.stringContaining("JSON object") });
    expect(parseExpectations("{")).toEqual({ error: expect.stringContaining("Not JSON") });
  });
});
