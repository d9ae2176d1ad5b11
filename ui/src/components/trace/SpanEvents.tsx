import type { OtelSpan } from "@ardea/api/types";
import { nsToMs, otelValue } from "@ardea/lib/otel";
import { formatDuration } from "@ardea/lib/format";
import { JsonView } from "./JsonView";

type SpanEvent = NonNullable<OtelSpan["events"]>[number];

function attrsOf(e: SpanEvent): Record<string, unknown> {
  return Object.fromEntries((e.attributes ?? []).map((kv) => [kv.key, otelValue(kv.value)]));
}

const text = (v: unknown) => (v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v));

/** An exception event: its type, message and stack trace (preformatted text). */
function ExceptionEvent({ event }: { event: SpanEvent }) {
  const a = attrsOf(event);
  return (
    <div className="error-banner span-exception" role="group" aria-label="Exception">
      <strong>{text(a["exception.type"]) || "Exception"}</strong>
      {a["exception.message"] !== undefined ? <span>: {text(a["exception.message"])}</span> : null}
      {a["exception.stacktrace"] !== undefined ? <pre className="cell-pre span-stack">{text(a["exception.stacktrace"])}</pre> : null}
    </div>
  );
}

/** A span's exceptions first, then its other events (name, time into the span, attributes). */
export function SpanEvents({ span }: { span: OtelSpan }) {
  const events = span.events ?? [];
  const exceptions = events.filter((e) => e.name === "exception");
  const others = events.filter((e) => e.name !== "exception");
  const start = nsToMs(span.start_time_unix_nano);
  return (
    <>
      {exceptions.length ? (
        <>
          <h3>Exceptions</h3>
          {exceptions.map((e, i) => (
            <ExceptionEvent key={i} event={e} />
          ))}
        </>
      ) : null}
      {others.length ? (
        <>
          <h3>Events</h3>
          {others.map((e, i) => {
            const attrs = attrsOf(e);
            return (
              <div key={i} className="note span-event">
                <strong>{e.name}</strong>
                <span className="muted"> +{formatDuration(nsToMs(e.time_unix_nano) - start)}</span>
                {Object.keys(attrs).length ? <JsonView value={attrs} /> : null}
              </div>
            );
          })}
        </>
      ) : null}
    </>
  );
}
