// Prompt templates as MLflow stores them: the version tag `mlflow.prompt.text` holds the text,
// or for chat prompts (`_mlflow_prompt_type` = chat) a JSON list of {role, content} messages.
import type { KeyValue } from "@ardea/api/types";

export const TEXT_TAG = "mlflow.prompt.text";
export const TYPE_TAG = "_mlflow_prompt_type";

/** A `{{ variable }}` placeholder (optional inner spaces, dotted names), as the SDK matches it. */
const VARIABLE = /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*(?:\.[a-zA-Z_][a-zA-Z0-9_]*)*)\s*\}\}/g;

export interface Segment {
  text: string;
  /** Set when the segment is a placeholder: the variable's name. */
  variable?: string;
}

export interface ChatMessage {
  role: string;
  content: string;
}

export type PromptTemplate = { kind: "text"; text: string } | { kind: "chat"; messages: ChatMessage[] };

/** A template cut into plain text and `{{ variable }}` segments (joined, they give it back). */
export function splitTemplate(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(VARIABLE)) {
    const at = match.index ?? 0;
    if (at > last) out.push({ text: text.slice(last, at) });
    out.push({ text: match[0], variable: match[1]! });
    last = at + match[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

/** The distinct variable names of a template, in order of first use. */
export function templateVariables(template: PromptTemplate): string[] {
  const texts = template.kind === "text" ? [template.text] : template.messages.map((m) => m.content);
  const names = new Set<string>();
  for (const t of texts) for (const s of splitTemplate(t)) if (s.variable) names.add(s.variable);
  return [...names];
}

function contentText(content: unknown): string {
  return typeof content === "string" ? content : JSON.stringify(content, null, 2);
}

/** A version's template from its tags (text when not a well-formed chat list). */
export function promptTemplate(tags: KeyValue[] | undefined): PromptTemplate {
  const get = (key: string) => tags?.find((t) => t.key === key)?.value;
  const raw = get(TEXT_TAG) ?? "";
  if (get(TYPE_TAG) === "chat") {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed)) {
        return {
          kind: "chat",
          messages: parsed.map((m: unknown) => {
            const msg = (m && typeof m === "object" ? m : {}) as { role?: unknown; content?: unknown };
            return { role: String(msg.role ?? ""), content: contentText(msg.content ?? "") };
          }),
        };
      }
    } catch {
      // not JSON: show the raw text
    }
  }
  return { kind: "text", text: raw };
}

/** The template as plain text for a line diff (chat: a `[role]` line before each message). */
export function templateText(template: PromptTemplate): string {
  if (template.kind === "text") return template.text;
  return template.messages.map((m) => `[${m.role}]\n${m.content}`).join("\n\n");
}
