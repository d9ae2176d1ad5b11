import { Link } from "react-router";
import { useAcceptProposal } from "@ardea/api/queries/issues";
import type { IssueProposal } from "@ardea/api/types";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { tracePath } from "@ardea/lib/paths";

const SHOWN_TRACES = 25;

/** One proposed failure mode: its name, size and judges; expandable to example rationales and
 * traces; "Create issue" turns it into an issue linked to its traces. */
export function ProposalCard({ experimentId, proposal }: { experimentId: string; proposal: IssueProposal }) {
  const accept = useAcceptProposal();
  const judges = Object.entries(proposal.judges)
    .map(([name, n]) => `${name} (${n})`)
    .join(", ");
  const created = accept.data?.issue;
  return (
    <li className="issue-proposal" data-proposal={proposal.name}>
      <details>
        <summary>
          <strong>{proposal.name}</strong> <span className="badge">{proposal.size} failing</span>{" "}
          <span className="muted small">
            {proposal.trace_ids.length} traces · {judges}
          </span>
        </summary>
        <div className="issue-proposal-body">
          <h4>Example rationales</h4>
          <ul>
            {proposal.examples.map((e) => (
              <li key={e.assessment_id}>
                <q>{e.rationale}</q>{" "}
                <Link className="small" to={tracePath(experimentId, e.trace_id)}>
                  {e.trace_id}
                </Link>
              </li>
            ))}
          </ul>
          <h4>Traces</h4>
          <ul className="issue-traces" aria-label={`Traces of ${proposal.name}`}>
            {proposal.trace_ids.slice(0, SHOWN_TRACES).map((t) => (
              <li key={t}>
                <Link to={tracePath(experimentId, t)}>{t}</Link>
              </li>
            ))}
          </ul>
          {proposal.trace_ids.length > SHOWN_TRACES ? (
            <p className="muted small">and {proposal.trace_ids.length - SHOWN_TRACES} more</p>
          ) : null}
        </div>
      </details>
      <div>
        {created ? (
          <span className="muted">Issue created ({created.issue_id})</span>
        ) : (
          <button
            type="button"
            disabled={accept.isPending}
            onClick={() => accept.mutate({ experiment_id: experimentId, name: proposal.name, trace_ids: proposal.trace_ids })}
          >
            Create issue
          </button>
        )}
        <ErrorBanner error={accept.error} />
      </div>
    </li>
  );
}
