import { useState } from "react";
import { Link } from "react-router";
import { useIssueTraces, useIssues, useSetIssueStatus } from "@ardea/api/queries/issues";
import type { Issue } from "@ardea/api/types";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime } from "@ardea/lib/format";
import { tracePath } from "@ardea/lib/paths";

/** MLflow's issue statuses, as the status filter and the actions offer them. */
export const STATUSES = ["pending", "resolved", "rejected"] as const;

function LinkedTraces({ experimentId, issueId }: { experimentId: string; issueId: string }) {
  const traces = useIssueTraces(issueId, true);
  if (traces.isPending) return <p className="muted small">Loading traces…</p>;
  return (
    <>
      <ErrorBanner error={traces.error} />
      <ul className="issue-traces" aria-label="Linked traces">
        {(traces.data ?? []).map((t) => (
          <li key={t}>
            <Link to={tracePath(experimentId, t)}>{t}</Link>
          </li>
        ))}
      </ul>
    </>
  );
}

function IssueRow({ experimentId, issue }: { experimentId: string; issue: Issue }) {
  const [open, setOpen] = useState(false);
  const setStatus = useSetIssueStatus();
  return (
    <tr data-issue={issue.name}>
      <td>
        <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
          {issue.name}
        </button>
        {issue.description ? <div className="muted small">{issue.description}</div> : null}
        {open ? <LinkedTraces experimentId={experimentId} issueId={issue.issue_id} /> : null}
        <ErrorBanner error={setStatus.error} />
      </td>
      <td>
        <span className={`badge status-${issue.status}`}>{issue.status}</span>
      </td>
      <td>{issue.trace_count ?? 0}</td>
      <td>{formatTime(issue.last_seen_timestamp ?? issue.created_timestamp)}</td>
      <td>
        {STATUSES.filter((s) => s !== issue.status).map((s) => (
          <button
            key={s}
            type="button"
            disabled={setStatus.isPending}
            onClick={() => setStatus.mutate({ issueId: issue.issue_id, status: s })}
          >
            {s === "pending" ? "Reopen" : s === "resolved" ? "Resolve" : "Reject"}
          </button>
        ))}
      </td>
    </tr>
  );
}

/** An experiment's issues, filtered by status, each expandable to its traces. */
export function IssuesTable({ experimentId }: { experimentId: string }) {
  const [status, setStatus] = useState("");
  const issues = useIssues(experimentId, status ? [status] : []);
  return (
    <section aria-label="Issues">
      <div className="toolbar">
        <h3>Issues</h3>
        <label>
          Status{" "}
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBanner error={issues.error} />
      {issues.data && issues.data.length === 0 ? <p className="muted">No issues.</p> : null}
      {issues.data && issues.data.length > 0 ? (
        <table className="plain" aria-label="Issues list">
          <thead>
            <tr>
              <th>Issue</th>
              <th>Status</th>
              <th>Traces</th>
              <th>Last seen</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {issues.data.map((i) => (
              <IssueRow key={i.issue_id} experimentId={experimentId} issue={i} />
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
