import { useState } from "react";
import { parseMaybeJson } from "@ardea/lib/otel";
import { ChatView } from "./ChatView";
import { toChat } from "./chat";
import { JsonView } from "./JsonView";

/**
 * A span's inputs or outputs: a conversation when they hold chat messages (with a switch to
 * the JSON), else the JSON as a collapsible tree, and plain text as preformatted text.
 */
export function SpanIO({ title, raw, testId }: { title: string; raw: unknown; testId: string }) {
  const [asJson, setAsJson] = useState(false);
  if (raw === undefined) return null;
  const value = parseMaybeJson(raw);
  const chat = toChat(value);
  return (
    <>
      <h3 className="span-io-title">
        {title}
        {chat ? (
          <button type="button" className="link" aria-pressed={asJson} onClick={() => setAsJson(!asJson)}>
            {asJson ? "Show conversation" : "Show JSON"}
          </button>
        ) : null}
      </h3>
      <div data-testid={testId}>
        {chat && !asJson ? (
          <ChatView messages={chat} label={`${title} conversation`} />
        ) : typeof value === "string" ? (
          <pre className="preview-text">{value}</pre>
        ) : (
          <JsonView value={value} label={title} />
        )}
      </div>
    </>
  );
}
