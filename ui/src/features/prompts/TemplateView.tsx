import { splitTemplate, type PromptTemplate } from "./template";

/** Template text with each `{{ variable }}` in its own highlighted span (all as text). */
export function TemplateText({ text }: { text: string }) {
  return (
    <pre className="prompt-template">
      {splitTemplate(text).map((s, i) =>
        s.variable ? (
          <span key={i} className="prompt-var" data-variable={s.variable}>
            {s.text}
          </span>
        ) : (
          s.text
        ),
      )}
    </pre>
  );
}

/** A text template, or a chat template as one block per message with its role. */
export function TemplateView({ template }: { template: PromptTemplate }) {
  if (template.kind === "text") {
    return (
      <div data-testid="prompt-template">
        <TemplateText text={template.text} />
      </div>
    );
  }
  return (
    <ol className="prompt-messages" data-testid="prompt-template" aria-label="Messages">
      {template.messages.map((m, i) => (
        <li key={i} className="prompt-message">
          <div className="prompt-role">{m.role}</div>
          <TemplateText text={m.content} />
        </li>
      ))}
    </ol>
  );
}
