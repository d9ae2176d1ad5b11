import { useState } from "react";
import { Link, useParams } from "react-router";
import { useDatasets } from "@ardea/api/queries/datasets";
import { useAddItems, useAssign, useLabelsToDataset, useReviewItems, useReviewQueue } from "@ardea/api/queries/review";
import type { QueueProgress } from "@ardea/api/types";
import { ExperimentHeader } from "@ardea/components/experiment/ExperimentHeader";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime } from "@ardea/lib/format";
import { reviewPath, tracePath } from "@ardea/lib/paths";
import { ProgressBar } from "./ProgressBar";
import "./review.css";

type AddMode = "filter" | "judge" | "traces";

function AddItems({ queueId }: { queueId: string }) {
  const [mode, setMode] = useState<AddMode>("filter");
  const [text, setText] = useState("");
  const add = useAddItems(queueId);
  const submit = () => {
    if (mode === "filter") add.mutate({ filter: text });
    else if (mode === "judge") add.mutate({ judge: text });
    else add.mutate({ traceIds: text.split(/[\s,]+/).filter(Boolean) });
  };
  const placeholder = { filter: "tag.flagged = 'yes' (empty: the newest traces)", judge: "judge name", traces: "tr-..., tr-..." }[mode];
  return (
    <form
      className="toolbar"
      aria-label="Add items"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <select aria-label="Add by" value={mode} onChange={(e) => setMode(e.target.value as AddMode)}>
        <option value="filter">Traces matching a filter</option>
        <option value="judge">Traces a judge said no to</option>
        <option value="traces">Trace ids</option>
      </select>
      <input aria-label="What to add" value={text} placeholder={placeholder} onChange={(e) => setText(e.target.value)} size={48} />
      <button type="submit" disabled={add.isPending || (mode !== "filter" && !text.trim())}>
        Add
      </button>
      {add.data ? <span className="muted">{add.data.items.length} added</span> : null}
      <ErrorBanner error={add.error} />
    </form>
  );
}

function Assign({ queueId }: { queueId: string }) {
  const [names, setNames] = useState("");
  const assign = useAssign(queueId);
  const reviewers = names.split(/[\s,]+/).filter(Boolean);
  return (
    <form
      className="toolbar"
      aria-label="Assign items"
      onSubmit={(e) => {
        e.preventDefault();
        assign.mutate(reviewers);
      }}
    >
      <input aria-label="Reviewers" value={names} placeholder="alice, bob" onChange={(e) => setNames(e.target.value)} />
      <button type="submit" disabled={assign.isPending || reviewers.length === 0}>
        Assign unassigned items
      </button>
      {assign.data ? <span className="muted">{assign.data.items.length} assigned</span> : null}
      <ErrorBanner error={assign.error} />
    </form>
  );
}

function ToDataset({ queueId, experimentId }: { queueId: string; experimentId: string }) {
  const datasets = useDatasets(experimentId);
  const [datasetId, setDatasetId] = useState("");
  const send = useLabelsToDataset(queueId);
  return (
    <div className="toolbar">
      <select aria-label="Dataset" value={datasetId} onChange={(e) => setDatasetId(e.target.value)}>
        <option value="">Choose a dataset…</option>
        {(datasets.data ?? []).map((d) => (
          <option key={d.dataset_id} value={d.dataset_id}>
            {d.name}
          </option>
        ))}
      </select>
      <button type="button" disabled={!datasetId || send.isPending} onClick={() => send.mutate({ datasetId })}>
        Labels to dataset expectations
      </button>
      {send.data ? <span className="muted">{send.data.records} records written</span> : null}
      <ErrorBanner error={send.error ?? datasets.error} />
    </div>
  );
}

function Reviewers({ progress }: { progress: QueueProgress }) {
  return (
    <table className="plain" aria-label="Progress per reviewer">
      <thead>
        <tr>
          <th>Reviewer</th>
          <th>Progress</th>
        </tr>
      </thead>
      <tbody>
        {progress.reviewers.map((r) => (
          <tr key={r.reviewer ?? ""} data-reviewer={r.reviewer ?? ""}>
            <td>{r.reviewer ?? <span className="muted">unassigned</span>}</td>
            <td>
              <ProgressBar progress={r} label={`Progress of ${r.reviewer ?? "unassigned"}`} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One review queue: its progress (in all and per reviewer), its items, and its tools. */
export default function QueuePage() {
  const { experimentId = "", queueId = "" } = useParams();
  const queue = useReviewQueue(queueId);
  const items = useReviewItems(queueId);
  const q = queue.data?.queue;
  return (
    <section>
      <ExperimentHeader experimentId={experimentId} />
      <p>
        <Link to={reviewPath.queues(experimentId)}>Review queues</Link> / <strong>{q?.name ?? queueId}</strong>
      </p>
      <ErrorBanner error={queue.error ?? items.error} />
      {q?.description ? <p className="muted">{q.description}</p> : null}
      <div className="toolbar">
        <ProgressBar progress={queue.data?.progress} label="Queue progress" />
        <Link className="button" to={reviewPath.work(experimentId, queueId)}>
          Start reviewing
        </Link>
      </div>
      <AddItems queueId={queueId} />
      <Assign queueId={queueId} />
      <ToDataset queueId={queueId} experimentId={experimentId} />
      {queue.data?.progress ? <Reviewers progress={queue.data.progress} /> : null}
      <table className="plain" aria-label="Queue items">
        <thead>
          <tr>
            <th>#</th>
            <th>Trace</th>
            <th>State</th>
            <th>Assignee</th>
            <th>Reviewed</th>
            <th aria-label="Open" />
          </tr>
        </thead>
        <tbody>
          {(items.data ?? []).map((i) => (
            <tr key={i.item_id} data-item={i.item_id} data-state={i.state}>
              <td>{i.position}</td>
              <td>
                {i.trace_id ? <Link to={tracePath(experimentId, i.trace_id)}>{i.trace_id}</Link> : null}
                {i.session_id ? <span className="muted small"> · session {i.session_id}</span> : null}
                <span className="muted small"> · {i.source}</span>
              </td>
              <td>{i.state}</td>
              <td>{i.assignee ?? <span className="muted">—</span>}</td>
              <td>{i.reviewed_by ? `${i.reviewed_by} · ${formatTime(i.completed_time ?? 0)}` : ""}</td>
              <td>
                <Link to={reviewPath.work(experimentId, queueId, { item: i.item_id })}>Open</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
