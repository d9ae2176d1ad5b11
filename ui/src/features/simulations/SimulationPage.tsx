import { useMemo } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { quoteFilterValue, useTracesPages } from "@ardea/api/queries/traces";
import { ExperimentBreadcrumbs } from "@ardea/components/experiment/ExperimentBreadcrumbs";
import { ChatView } from "@ardea/components/trace/ChatView";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { runPath, sessionPath } from "@ardea/lib/paths";
import { failedGoal, groupConversations, outcomeCounts, type SimConversation } from "./simulations";
import "./simulations.css";

const OLDEST_FIRST: readonly string[] = ["timestamp_ms ASC"];

/** One conversation: goal, persona, outcome and reason, session scores, the transcript. */
function ConversationCard({ convo, index, experimentId }: { convo: SimConversation; index: number; experimentId: string }) {
  const label = `Conversation ${index + 1}`;
  return (
    <li className="sim-card" aria-label={label} data-outcome={convo.outcome}>
      <header>
        <strong>{label}</strong>
        <span className={`sim-outcome sim-${convo.outcome || "unknown"}`}>{convo.outcome || "unknown"}</span>
        <span className="muted">{convo.turns} turn{convo.turns === 1 ? "" : "s"}</span>
        <Link to={sessionPath(experimentId, convo.sessionId)}>Session {convo.sessionId}</Link>
      </header>
      <dl className="sim-facts">
        <dt>Goal</dt>
        <dd>{convo.goal}</dd>
        <dt>Persona</dt>
        <dd>{convo.persona}</dd>
        {convo.reason ? (
          <>
            <dt>Why it ended</dt>
            <dd>{convo.reason}</dd>
          </>
        ) : null}
      </dl>
      {convo.scores.length ? (
        <ul className="sim-scores" aria-label={`${label} scores`}>
          {convo.scores.map((s) => (
            <li key={s.name} title={s.rationale}>
              <span className="muted">{s.name}</span> <strong>{s.value}</strong>
            </li>
          ))}
        </ul>
      ) : null}
      <ChatView messages={convo.messages} label={`${label} transcript`} />
    </li>
  );
}

/** A conversation simulation run: its conversations as chat transcripts; `?failed=1` keeps failed goals. */
export default function SimulationPage() {
  const { experimentId = "", runId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const onlyFailed = params.get("failed") === "1";
  const filter = `tags.\`ardea.simulation.run\` = ${quoteFilterValue(runId)}`;
  const pages = useTracesPages(experimentId, filter, OLDEST_FIRST);
  const all = useMemo(() => groupConversations((pages.data?.pages ?? []).flatMap((p) => p.traces ?? [])), [pages.data]);
  const shown = onlyFailed ? all.filter(failedGoal) : all;
  const counts = outcomeCounts(all);
  const toggle = () => {
    const next = new URLSearchParams(params);
    if (onlyFailed) next.delete("failed");
    else next.set("failed", "1");
    setParams(next, { replace: true });
  };
  return (
    <section>
      <ExperimentBreadcrumbs experimentId={experimentId}>
        <Link to={runPath(experimentId, runId)}>Run {runId}</Link>
        <span>Simulation</span>
      </ExperimentBreadcrumbs>
      <h1>Simulation</h1>
      <ErrorBanner error={pages.error} />
      <p className="muted" aria-label="Outcomes">
        {pages.isPending
          ? "Loading conversations…"
          : `${all.length} conversation${all.length === 1 ? "" : "s"}: ` +
            Object.entries(counts)
              .map(([k, v]) => `${k} ${v}`)
              .join(", ")}
      </p>
      <label>
        <input type="checkbox" checked={onlyFailed} onChange={toggle} /> Failed goals only
      </label>
      {pages.hasNextPage ? (
        <button type="button" onClick={() => void pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
          Load more turns
        </button>
      ) : null}
      <ol className="sim-list" aria-label="Conversations">
        {shown.map((c) => (
          <ConversationCard key={c.sessionId} convo={c} index={all.indexOf(c)} experimentId={experimentId} />
        ))}
      </ol>
      {!pages.isPending && !shown.length ? <p className="muted">No conversation{onlyFailed ? " failed its goal" : " in this run"}.</p> : null}
    </section>
  );
}
