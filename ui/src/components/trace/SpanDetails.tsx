import type { OtelSpan } from "@ardea/api/types";
import { formatDuration } from "@ardea/lib/format";
import { displayText, parseMaybeJson, spanAttributes } from "@ardea/lib/otel";
import { BreakableKey } from "./BreakableKey";
import { spanDurationMs } from "./lazyTree";
import { JsonView } from "./JsonView";
import { SpanEvents } from "./SpanEvents";
import { SpanIO } from "./SpanIO";
import { spanHex } from "./spanIds";
import { spanStatusView } from "./status";
import { StatusBadge } from "./StatusBadge";
import { formatCost, spanUsage, USAGE_KEYS } from "./spanUsage";
import "./trace.css";

const SPECIAL = new Set(["mlflow.spanInputs", "mlflow.spanOutputs", "mlflow.spanType", "mlflow.traceRequestId", ...USAGE_KEYS]);

function AttributeValue({ value }: { value: unknown }) {
  const v = parseMaybeJson(value);
  if (typeof v === "object" && v !== null) return <JsonView value={v} />;
  return <pre className="cell-pre">{displayText(v)}</pre>;
}

function Usage({ attrs }: { attrs: ReadonlyMap<string, unknown> }) {
  const u = spanUsage(attrs);
  const tokens =
    u.totalTokens !== undefined
      ? `${u.totalTokens.toLocaleString()}` +
        (u.inputTokens !== undefined || u.outputTokens !== undefined
          ? ` (${(u.inputTokens ?? 0).toLocaleString()} in, ${(u.outputTokens ?? 0).toLocaleString()} out)`
          : "")
      : "";
  return (
    <>
      {u.model ? (
        <>
          <dt>Model</dt>
          <dd>
            {u.model}
            {u.provider ? <span className="muted"> ({u.provider})</span> : null}
          </dd>
        </>
      ) : null}
      {tokens ? (
        <>
          <dt>Tokens</dt>
          <dd data-testid="span-tokens">{tokens}</dd>
        </>
      ) : null}
      {u.cost !== undefined ? (
        <>
          <dt>Cost</dt>
          <dd data-testid="span-cost">{formatCost(u.cost)}</dd>
        </>
      ) : null}
    </>
  );
}

/** One span: timing, status, usage, inputs and outputs (chat or JSON), attributes, events. */
export function SpanDetails({ span }: { span: OtelSpan }) {
  const attrs = spanAttributes(span);
  const type = parseMaybeJson(attrs.get("mlflow.spanType"));
  const rest = [...attrs.entries()].filter(([k]) => !SPECIAL.has(k)).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="span-details" aria-label="Span details">
      <h2>{span.name}</h2>
      <dl className="kv">
        <dt>Type</dt>
        <dd>{typeof type === "string" ? type : ""}</dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge view={spanStatusView(span.status?.code)} />
          {span.status?.message ? <span className={span.status.code === "STATUS_CODE_ERROR" ? "status-FAILED" : ""}> {span.status.message}</span> : null}
        </dd>
        <dt>Duration</dt>
        <dd data-testid="span-duration">{formatDuration(spanDurationMs(span))}</dd>
        <Usage attrs={attrs} />
        <dt>Span ID</dt>
        <dd>{spanHex(span.span_id)}</dd>
      </dl>
      <SpanIO title="Inputs" raw={attrs.get("mlflow.spanInputs")} testId="span-inputs" />
      <SpanIO title="Outputs" raw={attrs.get("mlflow.spanOutputs")} testId="span-outputs" />
      <SpanEvents span={span} />
      <h3>Attributes</h3>
      {rest.length ? (
        <table className="plain" aria-label="Span attributes">
          <tbody>
            {rest.map(([k, v]) => (
              <tr key={k}>
                <th scope="row" className="attr-key" title={k}>
                  <BreakableKey text={k} />
                </th>
                <td>
                  <AttributeValue value={v} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">None.</p>
      )}
    </div>
  );
}
