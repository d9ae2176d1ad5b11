import { useMemo } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useTraceInfo, useTraceSpans } from "@ardea/api/queries/traces";
import { SpanDetails } from "@ardea/components/trace/SpanDetails";
import { SpanTree } from "@ardea/components/trace/SpanTree";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatDuration } from "@ardea/lib/format";
import { toTraceRow } from "./traceRows";

/** The trace explorer: span tree with timeline bars, and the chosen span (`?span=`). */
export default function TracePage() {
  const { experimentId = "", traceId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const info = useTraceInfo(traceId);
  const spans = useTraceSpans(traceId);
  const list = spans.data;
  const chosen = params.get("span") ?? "";
  const byId = useMemo(() => new Map((list ?? []).map((s) => [s.span_id, s])), [list]);
  const selected = byId.get(chosen) ?? list?.[0];
  const row = info.data ? toTraceRow(info.data) : null;
  const base = `/experiments/${encodeURIComponent(experimentId)}`;
  return (
    <section>
      <nav className="breadcrumbs">
        <Link to="/">Experiments</Link>
        <Link to={`${base}/traces`}>Traces</Link>
        <span>{row?.name || traceId}</span>
      </nav>
      <h1>{row?.name || traceId}</h1>
      {row ? (
        <p className="muted">
          {row.state} · {formatDuration(row.latency)}
          {row.tokens ? ` · ${row.tokens} tokens` : ""} · {(list?.length ?? 0).toLocaleString()} spans
        </p>
      ) : null}
      <ErrorBanner error={info.error} />
      <ErrorBanner error={spans.error} />
      {spans.isPending ? <p className="muted">Loading spans…</p> : null}
      {list && list.length === 0 ? <p className="muted">This trace has no spans.</p> : null}
      {list && list.length > 0 ? (
        <div className="trace-layout">
          <SpanTree spans={list} selected={selected?.span_id ?? ""} onSelect={(id) => setParams({ span: id }, { replace: true })} />
          {selected ? <SpanDetails span={selected} /> : null}
        </div>
      ) : null}
    </section>
  );
}
