import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams, useSearchParams } from "react-router";
import { spanLevelQuery, useTraceInfo } from "@ardea/api/queries/traces";
import { ExperimentBreadcrumbs } from "@ardea/components/experiment/ExperimentBreadcrumbs";
import { SpanDetails } from "@ardea/components/trace/SpanDetails";
import { SpanTree } from "@ardea/components/trace/SpanTree";
import { collapseSpan, rootsDurationMs, timelineBounds, treeRows } from "@ardea/components/trace/lazyTree";
import { spanHex } from "@ardea/components/trace/spanIds";
import { formatCost } from "@ardea/components/trace/spanUsage";
import { traceStateView } from "@ardea/components/trace/status";
import { StatusBadge } from "@ardea/components/trace/StatusBadge";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { useCan } from "@ardea/hooks/useCan";
import { formatDuration } from "@ardea/lib/format";
import { sessionPath, tracesPath } from "@ardea/lib/paths";
import { ReplayReport } from "./ReplayReport";
import { parseReplayReport } from "./replayReport";
import { TraceAssessments } from "./TraceAssessments";
import { TraceTags } from "./TraceTags";
import { toTraceRow } from "./traceRows";
import { useSpanLevels } from "./useSpanLevels";

/**
 * The trace explorer: the span tree loaded a level at a time (root spans first, a span's
 * children when it is expanded), timeline bars, the chosen span, assessments and tags.
 * URL state: `?span=<hex id>` (the open span) and `?open=<hex id>` per expanded span; without
 * `open` a single root span starts expanded.
 */
export default function TracePage() {
  const { experimentId = "", traceId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const info = useTraceInfo(traceId);
  const can = useCan("experiment", experimentId);
  const rootsPage = useQuery(spanLevelQuery(traceId, "", ""));
  const firstRoots = rootsPage.data?.spans;
  const explicit = params.has("open");
  const openKey = explicit
    ? params.getAll("open").filter(Boolean).join(",")
    : firstRoots?.length === 1 && !rootsPage.data?.next_page_token
      ? spanHex(firstRoots[0]!.span_id)
      : "";
  const expanded = useMemo(() => (openKey ? openKey.split(",") : []), [openKey]);
  const { levels, parents, loadMore } = useSpanLevels(traceId, expanded);
  const rows = useMemo(() => treeRows(levels, new Set(expanded), parents), [levels, expanded, parents]);
  const row = info.data ? toTraceRow(info.data) : null;
  const replay = useMemo(() => parseReplayReport(info.data?.tags), [info.data?.tags]);
  const roots = levels.get("")?.spans;
  const bounds = useMemo(() => timelineBounds(row?.time ?? Number.NaN, row?.latency ?? Number.NaN, roots ?? []), [row?.time, row?.latency, roots]);
  // The root spans' own times (nanoseconds) once loaded: the info has whole milliseconds only.
  const rootsDone = rootsPage.data !== undefined && !rootsPage.data.next_page_token;
  const spansDuration = useMemo(() => (rootsDone ? rootsDurationMs(firstRoots ?? []) : Number.NaN), [rootsDone, firstRoots]);
  const duration = Number.isFinite(spansDuration) ? spansDuration : (row?.latency ?? Number.NaN);
  const selectedId = params.get("span") ?? (roots?.[0] ? spanHex(roots[0].span_id) : "");
  const selected = useMemo(() => {
    for (const level of levels.values()) for (const s of level.spans) if (spanHex(s.span_id) === selectedId) return s;
    return undefined;
  }, [levels, selectedId]);

  const writeOpen = (next: Iterable<string>) =>
    setParams(
      (cur) => {
        const out = new URLSearchParams(cur);
        out.delete("open");
        const list = [...next];
        if (list.length) list.forEach((id) => out.append("open", id));
        else out.set("open", "");
        return out;
      },
      { replace: true },
    );
  const toggle = (id: string) => {
    const set = new Set(expanded);
    if (set.has(id)) writeOpen(collapseSpan(levels, set, id));
    else writeOpen([...expanded, id]);
  };
  const select = (id: string) =>
    setParams(
      (cur) => {
        const out = new URLSearchParams(cur);
        out.set("span", id);
        return out;
      },
      { replace: true },
    );

  const rootLevel = levels.get("");
  return (
    <section>
      <ExperimentBreadcrumbs experimentId={experimentId}>
        <Link to={tracesPath(experimentId)}>Traces</Link>
        {row?.session ? <Link to={sessionPath(experimentId, row.session)}>Session {row.session}</Link> : null}
        <span>{row?.name || traceId}</span>
      </ExperimentBreadcrumbs>
      <h1>{row?.name || traceId}</h1>
      {row ? (
        <p className="muted" data-testid="trace-summary">
          <StatusBadge view={traceStateView(row.state)} /> · {formatDuration(duration)}
          {row.tokens ? ` · ${row.tokens} tokens` : ""}
          {row.cost !== undefined ? ` · ${formatCost(row.cost)}` : ""}
        </p>
      ) : null}
      <ErrorBanner error={info.error} />
      {replay ? <ReplayReport experimentId={experimentId} report={replay} /> : null}
      {info.data ? (
        <div className="trace-panels">
          <TraceAssessments traceId={traceId} assessments={info.data.assessments} denied={can.why("EDIT", "add feedback")} />
          <TraceTags traceId={traceId} tags={info.data.tags} denied={can.why("EDIT", "change its traces' tags")} />
        </div>
      ) : null}
      {rootLevel && !rootLevel.loading && !rootLevel.error && rows.length === 0 ? <p className="muted">This trace has no spans.</p> : null}
      {rows.length > 0 ? (
        <div className="trace-layout">
          <SpanTree rows={rows} bounds={bounds} selected={selectedId} onSelect={select} onToggle={toggle} onLoadMore={loadMore} />
          {selected ? (
            <SpanDetails key={selectedId} span={selected} />
          ) : (
            <p className="muted">{rootLevel?.loading ? "Loading spans…" : "Choose a span (expand its parents to find it)."}</p>
          )}
        </div>
      ) : null}
    </section>
  );
}
