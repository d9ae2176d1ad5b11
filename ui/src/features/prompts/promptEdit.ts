// The prompt editor's state and the registry requests it turns into, stored exactly as MLflow's
// client stores a prompt version: a model version with source "dummy-source", the template in
// `mlflow.prompt.text` (chat: a JSON list of {role, content}), its type in `_mlflow_prompt_type`,
// `mlflow.prompt.is_prompt = true`, and the commit message as the version's description.
import type { KeyValue } from "@ardea/api/types";
import { PROMPT_TAG, type CreatePromptRequest, type CreateVersionRequest } from "@ardea/api/queries/registry";
import { TEXT_TAG, TYPE_TAG, templateVariables, type ChatMessage, type PromptTemplate } from "./template";

/** The placeholder source MLflow's client gives a prompt version (prompts have no files). */
export const PROMPT_SOURCE = "dummy-source";

/** Roles offered for a chat message. */
export const CHAT_ROLES = ["system", "user", "assistant"] as const;

/** What the editor holds: the template (text or chat messages) and the commit message. */
export interface PromptDraft {
  kind: "text" | "chat";
  text: string;
  messages: ChatMessage[];
  commitMessage: string;
}

/** A draft prefilled with `template` (an empty text template when there is none). */
export function draftFrom(template: PromptTemplate | null): PromptDraft {
  if (template?.kind === "chat") return { kind: "chat", text: "", messages: template.messages.map((m) => ({ ...m })), commitMessage: "" };
  return { kind: "text", text: template?.text ?? "", messages: [], commitMessage: "" };
}

/** The draft switched to `kind`: text becomes one user message; messages join into text. */
export function switchKind(draft: PromptDraft, kind: PromptDraft["kind"]): PromptDraft {
  if (kind === draft.kind) return draft;
  if (kind === "chat") return { ...draft, kind, messages: draft.messages.length ? draft.messages : [{ role: "user", content: draft.text }] };
  return { ...draft, kind, text: draft.text || draft.messages.map((m) => m.content).join("\n\n") };
}

/** Why `name` cannot name a prompt ("" when it can): the SDK's rule, `[a-zA-Z0-9_.-]+`. */
export function promptNameProblem(name: string): string {
  if (!name) return "Enter a name.";
  return /^[a-zA-Z0-9_.-]+$/.test(name) ? "" : "Prompt names use only letters, digits, _, . and -.";
}

/** The template the draft stands for. */
export function draftTemplate(draft: PromptDraft): PromptTemplate {
  return draft.kind === "text" ? { kind: "text", text: draft.text } : { kind: "chat", messages: draft.messages };
}

/** The distinct `{{ variables }}` of the draft, in order of first use. */
export function draftVariables(draft: PromptDraft): string[] {
  return templateVariables(draftTemplate(draft));
}

/** Why the draft cannot be saved ("" when it can): chat needs messages, each with a role. */
export function draftProblem(draft: PromptDraft): string {
  if (draft.kind === "chat") {
    if (!draft.messages.length) return "A chat prompt needs at least one message.";
    if (draft.messages.some((m) => !m.role.trim())) return "Every message needs a role.";
  }
  return "";
}

/** The version tags of a prompt version holding the draft's template. */
export function versionTags(draft: PromptDraft): KeyValue[] {
  const text = draft.kind === "text" ? draft.text : JSON.stringify(draft.messages.map((m) => ({ role: m.role, content: m.content })));
  return [
    { key: PROMPT_TAG, value: "true" },
    { key: TEXT_TAG, value: text },
    { key: TYPE_TAG, value: draft.kind },
  ];
}

/** The `model-versions/create` body for the next version of prompt `name`. */
export function versionRequest(name: string, draft: PromptDraft): CreateVersionRequest {
  const out: CreateVersionRequest = { name, source: PROMPT_SOURCE, tags: versionTags(draft) };
  const message = draft.commitMessage.trim();
  if (message) out.description = message;
  return out;
}

/** The requests making a brand-new prompt: the prompt (registered model), then its version 1. */
export function newPromptRequest(name: string, draft: PromptDraft): CreatePromptRequest {
  const version = versionRequest(name, draft);
  const model: CreatePromptRequest["model"] = { name, tags: [{ key: PROMPT_TAG, value: "true" }] };
  if (version.description) model.description = version.description;
  return { model, version };
}
