import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { spanLevelQuery, useSessionTurns } from "@ardea/api/queries/traces";
import type { TraceInfo } from "@ardea/api/types";
import { ExperimentBreadcrumbs } from "@ardea/components/experiment/ExperimentBreadcrumbs";
import { ChatView } from "@ardea/components/trace/ChatView";
import { traceStateView } from "@ardea/components/trace/status";
import { StatusBadge } from "@ardea/components/trace/StatusBadge";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatDuration, formatTime } from "@ardea/lib/format";
import { spanAttributes } from "@ardea/lib/otel";
import { sessionsPath, tracePath } from "@ardea/lib/paths";
import { isCutJson, turnMessages } from "./sessions";
import { toTraceRow } from "./traceRows";

/** One turn: the root span's chat (its previews until it loads) and a link to the trace. */
function Turn({ info, index, experimentId }: { info: TraceInfo; index: number; experimentId: string }) {
  const row = toTraceRow(info);
  const roots = useQuery({ ...spanLevelQuery(info.trace_id, "", ""), enabled: isCutJson(row.request) || isCutJson(row.response) || (!row.request && !row.response) });
  const root = roots.data?.spans?.[0];
  const attrs = root ? spanAttributes(root) : undefined;
  const messages = turnMessages(attrs?.get("mlflow.spanInputs"), attrs?.get("mlflow.spanOutputs"), row.request, row.response);
  return (
    <li className="session-turn" data-trace-id={row.id}>
      <header>
        <strong>Turn {index + 1}</strong>
        <Link to={tracePath(experimentId, row.id)}>{row.name || row.id}</Link>
        <StatusBadge view={traceStateView(row.state)} />
        <span className="muted">
          {formatTime(row.time)} · {formatDuration(row.latency)}
          {row.tokens ? ` · ${row.tokens} tokens` : ""}
        </span>
      </header>
      {messages.length ? <ChatView messages={messages} label={`Turn ${index + 1}`} /> : <p className="muted">No request or response recorded.</p>}
    </li>
  );
}

/** A session's conversation, turn by turn, oldest first; each turn links to its trace. */
export default function SessionPage() {
  const { experimentId = "", sessionId = "" } = useParams();
  const turns = useSessionTurns(experimentId, sessionId);
  const list = useMemo(() => (turns.data?.pages ?? []).flatMap((p) => p.traces ?? []), [turns.data]);
  return (
    <section>
      <ExperimentBreadcrumbs experimentId={experimentId}>
        <Link to={sessionsPath(experimentId)}>Sessions</Link>
        <span>{sessionId}</span>
      </ExperimentBreadcrumbs>
      <h1>Session {sessionId}</h1>
      <ErrorBanner error={turns.error} />
      <p className="muted">{turns.isPending ? "Loading turns…" : `${list.length.toLocaleString()}${turns.hasNextPage ? "+" : ""} turns`}</p>
      <ol className="chat" aria-label="Session turns" style={{ gap: 0 }}>
        {list.map((t, i) => (
          <Turn key={t.trace_id} info={t} index={i} experimentId={experimentId} />
        ))}
      </ol>
      {turns.hasNextPage ? (
        <button type="button" onClick={() => void turns.fetchNextPage()} disabled={turns.isFetchingNextPage}>
          Load more
        </button>
      ) : null}
    </section>
  );
}
