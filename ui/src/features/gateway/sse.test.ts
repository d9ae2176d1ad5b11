import { describe, expect, it } from "vitest";
import { readChunk, SseParser } from "./sse";

describe("SseParser", () => {
  it("yields whole events across arbitrary splits, and the end marker", () => {
    const p = new SseParser();
    expect(p.feed('data: {"a":')).toEqual([]);
    expect(p.feed('1}\n\ndata: {"b":2}\r\n\r\ndata: [DO')).toEqual([{ data: '{"a":1}' }, { data: '{"b":2}' }]);
    expect(p.feed("NE]\n\n")).toEqual([{ done: true }]);
  });
});

describe("readChunk", () => {
  it("reads the delta text, the usage, and the gateway's error frame", () => {
    expect(readChunk('{"choices":[{"delta":{"content":"he"}}]}')).toEqual({ text: "he" });
    expect(readChunk('{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}')).toEqual({
      text: "",
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    });
    expect(readChunk('{"error":{"message":"upstream broke"}}')).toEqual({ text: "", error: "upstream broke" });
    expect(readChunk("not json")).toEqual({ text: "" });
  });
});
