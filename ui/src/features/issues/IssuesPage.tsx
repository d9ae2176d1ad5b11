import { useState } from "react";
import { useParams } from "react-router";
import { useProposeIssues } from "@ardea/api/queries/issues";
import { ExperimentHeader } from "@ardea/components/experiment/ExperimentHeader";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { IssuesTable } from "./IssuesTable";
import { ProposalCard } from "./ProposalCard";
import { startOfWindow, WINDOWS } from "./windows";
import "./issues.css";

/** An experiment's issues: the top failure modes proposed from its judges' failing rationales
 * (on request, over a time window and optionally one judge), and the issues list. */
export default function IssuesPage() {
  const { experimentId = "" } = useParams();
  const [judge, setJudge] = useState("");
  const [span, setSpan] = useState("7d");
  const propose = useProposeIssues();
  const run = () =>
    propose.mutate({
      experiment_id: experimentId,
      judge: judge.trim() || undefined,
      start_time_ms: startOfWindow(span, Date.now()),
    });
  const found = propose.data;
  return (
    <section>
      <ExperimentHeader experimentId={experimentId} />
      <form
        className="toolbar"
        aria-label="Find failure modes"
        onSubmit={(e) => {
          e.preventDefault();
          run();
        }}
      >
        <label>
          Judge <input value={judge} placeholder="all judges" onChange={(e) => setJudge(e.target.value)} />
        </label>
        <label>
          Traces from{" "}
          <select value={span} onChange={(e) => setSpan(e.target.value)}>
            {WINDOWS.map((w) => (
              <option key={w.key} value={w.key}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={propose.isPending}>
          Group failing traces
        </button>
        <span className="muted small">Clusters the rationales of judges that said no, so you see the top failure modes.</span>
      </form>
      <ErrorBanner error={propose.error} />
      {propose.isPending ? (
        <p className="muted" role="status">
          Reading, embedding and clustering failing verdicts…
        </p>
      ) : null}
      {found ? (
        <section aria-label="Proposed issues">
          <p className="muted" role="status">
            {found.failures} failing verdicts, {found.proposals.length} failure modes ({found.embedding} embedding).
          </p>
          <ol className="issue-proposals">
            {found.proposals.map((p) => (
              <ProposalCard key={p.trace_ids[0] ?? p.name} experimentId={experimentId} proposal={p} />
            ))}
          </ol>
        </section>
      ) : null}
      <IssuesTable experimentId={experimentId} />
    </section>
  );
}
