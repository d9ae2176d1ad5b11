import { describe, expect, it } from "vitest";
import { toChat } from "./chat";

describe("toChat", () => {
  it("reads OpenAI requests with tool calls and tool results", () => {
    const chat = toChat({
      model: "gpt",
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: [{ type: "text", text: "weather?" }] },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }] },
        { role: "tool", tool_call_id: "c1", content: "rain" },
      ],
    });
    expect(chat?.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool"]);
    expect(chat?.[1]?.text).toBe("weather?");
    expect(chat?.[2]?.toolCalls).toEqual([{ name: "get_weather", args: '{\n  "city": "Oslo"\n}', id: "c1" }]);
    expect(chat?.[3]?.toolCallId).toBe("c1");
  });

  it("reads OpenAI responses (choices[].message)", () => {
    const chat = toChat({ id: "x", choices: [{ index: 0, message: { role: "assistant", content: "Hello" } }] });
    expect(chat).toEqual([{ role: "assistant", text: "Hello", toolCalls: [] }]);
  });

  it("reads Anthropic requests (system) and responses (content blocks, tool_use)", () => {
    const req = toChat({ system: "sys", messages: [{ role: "user", content: "hi" }] });
    expect(req?.map((m) => [m.role, m.text])).toEqual([
      ["system", "sys"],
      ["user", "hi"],
    ]);
    const res = toChat({
      type: "message",
      role: "assistant",
      content: [
        { type: "text", text: "Let me look." },
        { type: "tool_use", id: "t1", name: "search", input: { q: "herons" } },
      ],
    });
    expect(res?.[0]?.text).toBe("Let me look.");
    expect(res?.[0]?.toolCalls[0]).toMatchObject({ name: "search", id: "t1" });
    expect(JSON.parse(res![0]!.toolCalls[0]!.args)).toEqual({ q: "herons" });
  });

  it("returns null for values that are not conversations", () => {
    expect(toChat({ q: "hi" })).toBeNull();
    expect(toChat({ messages: [{ content: "no role" }] })).toBeNull();
    expect(toChat("text")).toBeNull();
    expect(toChat([])).toBeNull();
  });
});
