import type { ChatMessage } from "./chat";
import "./trace.css";

/** A conversation: one bubble per message with its role, text and tool calls (name + JSON args). */
export function ChatView({ messages, label }: { messages: readonly ChatMessage[]; label?: string }) {
  return (
    <ol className="chat" aria-label={label ?? "Conversation"}>
      {messages.map((m, i) => (
        <li key={i} className={`chat-msg chat-${m.role.replace(/[^a-z_-]/gi, "")}`} data-role={m.role}>
          <div className="chat-role">
            {m.role}
            {m.name ? <span className="muted"> · {m.name}</span> : null}
            {m.toolCallId ? <span className="muted"> · result of {m.toolCallId}</span> : null}
          </div>
          {m.text ? <div className="chat-text">{m.text}</div> : null}
          {m.toolCalls.map((c, j) => (
            <div key={j} className="chat-tool">
              <div>
                <span className="muted">calls </span>
                <strong>{c.name}</strong>
                {c.id ? <span className="muted"> ({c.id})</span> : null}
              </div>
              <pre className="cell-pre">{c.args}</pre>
            </div>
          ))}
        </li>
      ))}
    </ol>
  );
}
