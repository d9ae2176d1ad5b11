import { useState, type ReactNode } from "react";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { CHAT_ROLES, draftProblem, draftVariables, switchKind, type PromptDraft } from "./promptEdit";

function RoleSelect({ value, index, onChange }: { value: string; index: number; onChange: (role: string) => void }) {
  const roles: string[] = [...CHAT_ROLES];
  if (value && !roles.includes(value)) roles.push(value);
  return (
    <select aria-label={`Role of message ${index + 1}`} value={value} onChange={(e) => onChange(e.target.value)}>
      {roles.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}

/**
 * The template editor of a new prompt version: text (one text box) or chat (a role and a text box
 * per message, with add/remove), the live list of `{{ variables }}`, a commit message and Save.
 * `header` goes above (the new-prompt form puts its name field there).
 */
export function PromptEditor({
  initial,
  title,
  header,
  pending,
  error,
  canSave = true,
  onSave,
  onCancel,
}: {
  initial: PromptDraft;
  title: string;
  header?: ReactNode;
  pending: boolean;
  error: unknown;
  canSave?: boolean;
  onSave: (draft: PromptDraft) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState(initial);
  const variables = draftVariables(draft);
  const problem = draftProblem(draft);
  const setMessage = (i: number, patch: Partial<PromptDraft["messages"][number]>) =>
    setDraft((d) => ({ ...d, messages: d.messages.map((m, j) => (j === i ? { ...m, ...patch } : m)) }));
  return (
    <form
      className="prompt-editor"
      aria-label={title}
      onSubmit={(e) => {
        e.preventDefault();
        if (!problem && canSave) onSave(draft);
      }}
    >
      <h2>{title}</h2>
      {header}
      <div className="toolbar">
        <label>
          Type{" "}
          <select aria-label="Prompt type" value={draft.kind} onChange={(e) => setDraft((d) => switchKind(d, e.target.value === "chat" ? "chat" : "text"))}>
            <option value="text">Text</option>
            <option value="chat">Chat</option>
          </select>
        </label>
      </div>
      {draft.kind === "text" ? (
        <textarea aria-label="Template" className="prompt-input" rows={10} value={draft.text} onChange={(e) => setDraft((d) => ({ ...d, text: e.target.value }))} />
      ) : (
        <ol className="prompt-messages" aria-label="Messages">
          {draft.messages.map((m, i) => (
            <li key={i} className="prompt-message">
              <div className="toolbar">
                <RoleSelect value={m.role} index={i} onChange={(role) => setMessage(i, { role })} />
                <button type="button" aria-label={`Remove message ${i + 1}`} onClick={() => setDraft((d) => ({ ...d, messages: d.messages.filter((_, j) => j !== i) }))}>
                  Remove
                </button>
              </div>
              <textarea aria-label={`Content of message ${i + 1}`} className="prompt-input" rows={4} value={m.content} onChange={(e) => setMessage(i, { content: e.target.value })} />
            </li>
          ))}
          <li>
            <button type="button" onClick={() => setDraft((d) => ({ ...d, messages: [...d.messages, { role: "user", content: "" }] }))}>
              Add message
            </button>
          </li>
        </ol>
      )}
      <p className="muted" data-testid="editor-variables">
        Variables:{" "}
        {variables.length
          ? variables.map((v, i) => (
              <span key={v}>
                {i ? ", " : ""}
                <span className="prompt-var" data-variable={v}>
                  {v}
                </span>
              </span>
            ))
          : "none"}
      </p>
      <label className="prompt-commit">
        Commit message{" "}
        <input aria-label="Commit message" size={60} value={draft.commitMessage} onChange={(e) => setDraft((d) => ({ ...d, commitMessage: e.target.value }))} />
      </label>
      {problem ? <p className="muted">{problem}</p> : null}
      <ErrorBanner error={error} />
      <div className="toolbar">
        <button type="submit" disabled={pending || Boolean(problem) || !canSave}>
          {pending ? "Saving…" : "Save"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
