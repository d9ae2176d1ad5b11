// Server-sent events as the gateway streams them (OpenAI's chat completion chunks): a
// parser fed the body's text as it arrives, and the text and usage the chunks carry.

/** One `data:` payload, or the end of the stream (`[DONE]`). */
export type SseEvent = { data: string } | { done: true };

/** Splits a stream's text into events; keeps the unfinished tail for the next feed. */
export class SseParser {
  private buffer = "";

  /** The complete events in `text` (with what was left of the previous feed). */
  feed(text: string): SseEvent[] {
    this.buffer += text.replace(/\r\n/g, "\n");
    const events: SseEvent[] = [];
    let end = this.buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).replace(/^ /, ""))
        .join("\n");
      if (data === "[DONE]") events.push({ done: true });
      else if (data) events.push({ data });
      end = this.buffer.indexOf("\n\n");
    }
    return events;
  }
}

/** Token counts of a streamed answer (its last chunk's `usage`, when the provider sent it). */
export interface StreamUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

/** What one chunk adds: text, usage, or an error message (the gateway's error frame). */
export function readChunk(data: string): { text: string; usage?: StreamUsage; error?: string } {
  let chunk: unknown;
  try {
    chunk = JSON.parse(data);
  } catch {
    return { text: "" };
  }
  const c = chunk as {
    choices?: { delta?: { content?: string | null } }[];
    usage?: StreamUsage | null;
    error?: { message?: string };
  };
  if (c.error) return { text: "", error: c.error.message ?? "The stream broke" };
  const text = (c.choices ?? []).map((ch) => ch.delta?.content ?? "").join("");
  return c.usage ? { text, usage: c.usage } : { text };
}
