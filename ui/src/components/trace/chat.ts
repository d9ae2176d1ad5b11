// Chat messages in span inputs and outputs (OpenAI, Anthropic, LangChain shapes) as one
// neutral list of turns the span pane renders as a conversation.

/** A tool call: the function's name and its arguments as pretty JSON (or the raw text). */
export interface ToolCall {
  name: string;
  args: string;
  id?: string;
}

/** One message of a conversation. */
export interface ChatMessage {
  role: string;
  text: string;
  toolCalls: ToolCall[];
  /** The tool call this message answers (a tool result). */
  toolCallId?: string;
  /** The speaker's or the tool's name, when given. */
  name?: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const LANGCHAIN_ROLES: Record<string, string> = { human: "user", ai: "assistant", system: "system", tool: "tool" };

/** JSON-ish arguments as indented JSON text (strings that parse as JSON are re-indented). */
export function prettyArgs(value: unknown): string {
  if (typeof value === "string") {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value ?? {}, null, 2) ?? "";
}

function toolCallOf(v: unknown): ToolCall | null {
  if (!isObj(v)) return null;
  const fn = isObj(v.function) ? v.function : v;
  if (typeof fn.name !== "string") return null;
  const args = fn.arguments ?? fn.input ?? fn.args ?? {};
  return { name: fn.name, args: prettyArgs(args), ...(typeof v.id === "string" ? { id: v.id } : {}) };
}

/** A message's content (a string or a list of blocks) as text plus the tool calls in it. */
function readContent(content: unknown, out: { text: string[]; calls: ToolCall[]; toolId?: string }): void {
  if (content === undefined || content === null) return;
  if (typeof content === "string") {
    out.text.push(content);
    return;
  }
  if (!Array.isArray(content)) {
    out.text.push(JSON.stringify(content, null, 2));
    return;
  }
  for (const block of content) {
    if (typeof block === "string") out.text.push(block);
    else if (!isObj(block)) continue;
    else if (typeof block.text === "string") out.text.push(block.text);
    else if (block.type === "tool_use") {
      const call = toolCallOf(block);
      if (call) out.calls.push(call);
    } else if (block.type === "tool_result") {
      if (typeof block.tool_use_id === "string") out.toolId = block.tool_use_id;
      readContent(block.content, out);
    } else if (typeof block.type === "string" && /image/.test(block.type)) out.text.push("[image]");
    else out.text.push(JSON.stringify(block, null, 2));
  }
}

function messageOf(v: unknown): ChatMessage | null {
  if (!isObj(v)) return null;
  const rawRole =
    typeof v.role === "string" ? v.role : typeof v.type === "string" && Object.hasOwn(LANGCHAIN_ROLES, v.type) ? LANGCHAIN_ROLES[v.type] : undefined;
  if (!rawRole) return null;
  if (!("content" in v) && !("tool_calls" in v) && !("function_call" in v)) return null;
  const acc: { text: string[]; calls: ToolCall[]; toolId?: string } = { text: [], calls: [] };
  readContent(v.content, acc);
  for (const c of Array.isArray(v.tool_calls) ? v.tool_calls : []) {
    const call = toolCallOf(c);
    if (call) acc.calls.push(call);
  }
  const legacy = toolCallOf(v.function_call);
  if (legacy) acc.calls.push(legacy);
  const toolCallId = typeof v.tool_call_id === "string" ? v.tool_call_id : acc.toolId;
  return {
    role: rawRole,
    text: acc.text.join("\n"),
    toolCalls: acc.calls,
    ...(toolCallId ? { toolCallId } : {}),
    ...(typeof v.name === "string" ? { name: v.name } : {}),
  };
}

function messagesOf(list: unknown): ChatMessage[] | null {
  if (!Array.isArray(list) || list.length === 0) return null;
  const out: ChatMessage[] = [];
  for (const item of list) {
    const m = messageOf(item);
    if (!m) return null;
    out.push(m);
  }
  return out;
}

function systemOf(system: unknown): ChatMessage[] {
  if (system === undefined || system === null || system === "") return [];
  const acc: { text: string[]; calls: ToolCall[] } = { text: [], calls: [] };
  readContent(system, acc);
  return [{ role: "system", text: acc.text.join("\n"), toolCalls: [] }];
}

/**
 * The conversation in a span's inputs or outputs, or null when the value holds none:
 * `{messages: [...]}` (OpenAI and Anthropic requests, with Anthropic's `system`), a bare list
 * of messages, `{choices: [{message}]}` (OpenAI responses), one message (an Anthropic response
 * with `content` blocks), or `{input: [...]}` / `{output: [...]}` of message-shaped items.
 */
export function toChat(value: unknown): ChatMessage[] | null {
  if (Array.isArray(value)) return messagesOf(value);
  if (!isObj(value)) return null;
  if (Array.isArray(value.messages)) {
    const list = messagesOf(value.messages);
    return list ? [...systemOf(value.system), ...list] : null;
  }
  if (Array.isArray(value.choices)) {
    const list = messagesOf(value.choices.map((c) => (isObj(c) ? (c.message ?? c.delta) : undefined)));
    if (list) return list;
  }
  for (const key of ["input", "output"] as const) {
    if (Array.isArray(value[key])) {
      const list = messagesOf(value[key]);
      if (list) return list;
    }
  }
  const one = messageOf(value);
  return one ? [one] : null;
}
