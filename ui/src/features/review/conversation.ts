// A reviewed trace's conversation from its root span's inputs and outputs (chat shapes as the
// trace pages render them; anything else as one user and one assistant message of text), and
// the judges' verdicts among its assessments.
import type { Assessment } from "@ardea/api/types";
import { type ChatMessage, toChat } from "@ardea/components/trace/chat";
import { parseMaybeJson } from "@ardea/lib/otel";

function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 2);
}

/** The messages of a trace: every input message, then the reply. */
export function conversation(inputs: unknown, outputs: unknown): ChatMessage[] {
  const inValue = parseMaybeJson(inputs);
  const outValue = parseMaybeJson(outputs);
  const out: ChatMessage[] = [];
  const inChat = toChat(inValue);
  if (inChat) out.push(...inChat);
  else if (text(inValue)) out.push({ role: "user", text: text(inValue), toolCalls: [] });
  const outChat = toChat(outValue);
  if (outChat) out.push(...outChat.filter((m) => m.role !== "user" && m.role !== "system"));
  else if (text(outValue)) out.push({ role: "assistant", text: text(outValue), toolCalls: [] });
  return out;
}

/** The valid LLM-judge feedback of a trace, by name. */
export function judgeVerdicts(assessments: readonly Assessment[] | undefined): Assessment[] {
  return (assessments ?? [])
    .filter((a) => a.valid !== false && a.source.source_type === "LLM_JUDGE" && a.feedback !== undefined)
    .sort((a, b) => a.assessment_name.localeCompare(b.assessment_name));
}
