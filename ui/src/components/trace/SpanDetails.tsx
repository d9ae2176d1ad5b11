import type { OtelSpan } from "@ardea/api/types";
import { formatDuration } from "@ardea/lib/format";
import { displayText, nsToMs, otelValue, parseMaybeJson, spanAttributes } from "@ardea/lib/otel";

const SPECIAL = new Set(["mlflow.spanInputs", "mlflow.spanOutputs", "mlflow.spanType", "mlflow.traceRequestId"]);

function Block({ title, value, testId }: { title: string; value: unknown; testId: string }) {
  if (value === undefined) return null;
  return (
    <>
      <h3>{title}</h3>
      <pre className="preview-text" data-testid={testId}>
        {displayText(parseMaybeJson(value))}
      </pre>
    </>
  );
}

/** One span: timing, status, inputs and outputs (pretty JSON, as text), attributes, events. */
export function SpanDetails({ span }: { span: OtelSpan }) {
  const attrs = spanAttributes(span);
  const start = nsToMs(span.start_time_unix_nano);
  const end = nsToMs(span.end_time_unix_nano);
  const type = parseMaybeJson(attrs.get("mlflow.spanType"));
  const status = span.status?.code?.replace("STATUS_CODE_", "") ?? "";
  const rest = [...attrs.entries()].filter(([k]) => !SPECIAL.has(k)).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="span-details" aria-label="Span details">
      <h2>{span.name}</h2>
      <dl className="kv">
        <dt>Type</dt>
        <dd>{typeof type === "string" ? type : ""}</dd>
        <dt>Status</dt>
        <dd className={status === "ERROR" ? "status-FAILED" : ""}>
          {status}
          {span.status?.message ? `: ${span.status.message}` : ""}
        </dd>
        <dt>Duration</dt>
        <dd>{formatDuration(end - start)}</dd>
        <dt>Span ID</dt>
        <dd>{span.span_id}</dd>
      </dl>
      <Block title="Inputs" value={attrs.get("mlflow.spanInputs")} testId="span-inputs" />
      <Block title="Outputs" value={attrs.get("mlflow.spanOutputs")} testId="span-outputs" />
      <h3>Attributes</h3>
      {rest.length ? (
        <table className="plain" aria-label="Span attributes">
          <tbody>
            {rest.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>
                  <pre className="cell-pre">{displayText(parseMaybeJson(v))}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">None.</p>
      )}
      {span.events?.length ? (
        <>
          <h3>Events</h3>
          {span.events.map((e, i) => (
            <div key={i} className={e.name === "exception" ? "error-banner" : "note"}>
              <strong>{e.name}</strong>
              <pre className="cell-pre">
                {displayText(Object.fromEntries((e.attributes ?? []).map((kv) => [kv.key, otelValue(kv.value)])))}
              </pre>
            </div>
          ))}
        </>
      ) : null}
    </div>
  );
}
