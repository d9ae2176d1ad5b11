import { useState } from "react";
import { Link, useParams } from "react-router";
import { useCreateQueue, useReviewQueues } from "@ardea/api/queries/review";
import { ExperimentHeader } from "@ardea/components/experiment/ExperimentHeader";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime } from "@ardea/lib/format";
import { reviewPath } from "@ardea/lib/paths";
import type { RequestBody } from "@ardea/api/types";
import { ProgressBar } from "./ProgressBar";
import "./review.css";

const EXAMPLE_SCHEMAS = `[
  {"name": "correct", "type": "pass_fail"},
  {"name": "tone", "type": "categorical", "options": ["polite", "neutral", "rude"], "required": false},
  {"name": "expected_response", "type": "expected_answer", "required": false}
]`;

function CreateQueue({ experimentId }: { experimentId: string }) {
  const [name, setName] = useState("");
  const [schemas, setSchemas] = useState(EXAMPLE_SCHEMAS);
  const [parseError, setParseError] = useState("");
  const create = useCreateQueue();
  const submit = () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(schemas);
    } catch {
      setParseError("The label schemas are not valid JSON.");
      return;
    }
    setParseError("");
    create.mutate({ experiment_id: experimentId, name, label_schemas: parsed as RequestBody<"create_queue_post">["label_schemas"] });
  };
  return (
    <form
      className="review-create"
      aria-label="New review queue"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label>
        Name <input value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label>
        Label schemas (JSON: pass_fail, categorical with options, numeric with min/max, text, expected_answer)
        <textarea value={schemas} onChange={(e) => setSchemas(e.target.value)} />
      </label>
      {parseError ? <div className="error-banner">{parseError}</div> : null}
      <ErrorBanner error={create.error} />
      <div>
        <button type="submit" disabled={!name.trim() || create.isPending}>
          Create queue
        </button>
      </div>
    </form>
  );
}

/** An experiment's review queues, each with its progress bar; and a form for a new one. */
export default function QueuesPage() {
  const { experimentId = "" } = useParams();
  const queues = useReviewQueues(experimentId);
  const [creating, setCreating] = useState(false);
  const progress = new Map((queues.data?.progress ?? []).map((p) => [p.queue_id, p]));
  return (
    <section>
      <ExperimentHeader experimentId={experimentId} />
      <div className="toolbar">
        <button type="button" onClick={() => setCreating(!creating)} aria-expanded={creating}>
          New queue
        </button>
        <span className="muted">People label traces here; their labels become HUMAN assessments and dataset expectations.</span>
      </div>
      {creating ? <CreateQueue experimentId={experimentId} /> : null}
      <ErrorBanner error={queues.error} />
      {queues.isPending ? <p className="muted">Loading queues…</p> : null}
      {queues.data && queues.data.queues.length === 0 ? <p className="muted">No review queues yet.</p> : null}
      {queues.data && queues.data.queues.length > 0 ? (
        <table className="plain" aria-label="Review queues">
          <thead>
            <tr>
              <th>Queue</th>
              <th>Progress</th>
              <th>Labels</th>
              <th>Created</th>
              <th aria-label="Review" />
            </tr>
          </thead>
          <tbody>
            {queues.data.queues.map((q) => (
              <tr key={q.queue_id} data-queue={q.name}>
                <td>
                  <Link to={reviewPath.queue(experimentId, q.queue_id)}>{q.name}</Link>
                  {q.description ? <div className="muted small">{q.description}</div> : null}
                </td>
                <td>
                  <ProgressBar progress={progress.get(q.queue_id)} label={`Progress of ${q.name}`} />
                </td>
                <td className="small">{q.label_schemas.map((s) => s.name).join(", ")}</td>
                <td>
                  {formatTime(q.creation_time)}
                  {q.created_by ? <span className="muted"> · {q.created_by}</span> : null}
                </td>
                <td>
                  <Link className="button" to={reviewPath.work(experimentId, q.queue_id)}>
                    Review
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
