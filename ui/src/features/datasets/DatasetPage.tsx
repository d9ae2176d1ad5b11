import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import {
  useDataset,
  useDatasetDiff,
  useDatasetRecords,
  useDatasetVersions,
  useUpdateExpectations,
} from "@ardea/api/queries/datasets";
import type { DatasetDiff, DatasetRecord, DatasetRecordChange } from "@ardea/api/types";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { useCan } from "@ardea/hooks/useCan";
import { formatTime } from "@ardea/lib/format";
import { datasetsPath, runsPath } from "@ardea/lib/paths";
import { compactJson, parseExpectations, parseJsonObject, recordCount } from "./datasetJson";
import "./datasets.css";

function ExpectationsEditor({
  datasetId,
  record,
  denied,
}: {
  datasetId: string;
  record: DatasetRecord;
  denied: string;
}) {
  const [text, setText] = useState<string | null>(null);
  const [problem, setProblem] = useState("");
  const save = useUpdateExpectations(datasetId);
  if (text === null)
    return (
      <>
        <pre className="json">{compactJson(record.expectations ?? {})}</pre>
        <button
          type="button"
          className="link"
          disabled={denied !== ""}
          title={denied || "Edit this record's expectations"}
          aria-label={`Edit expectations of ${record.dataset_record_id}`}
          onClick={() => {
            setProblem("");
            setText(JSON.stringify(record.expectations ?? {}, null, 2));
          }}
        >
          Edit
        </button>
      </>
    );
  const submit = () => {
    const parsed = parseExpectations(text);
    if ("error" in parsed) {
      setProblem(parsed.error);
      return;
    }
    save.mutate(
      { inputs: record.inputs, expectations: parsed.value },
      { onSuccess: () => setText(null) },
    );
  };
  return (
    <div>
      <textarea
        className="json-edit"
        aria-label={`Expectations of ${record.dataset_record_id}`}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <p className="muted small">Keys are merged into the record (MLflow's upsert); a key left out is kept.</p>
      {problem ? (
        <div className="error-banner" role="alert">
          {problem}
        </div>
      ) : null}
      <ErrorBanner error={save.error} />
      <button type="button" disabled={save.isPending} onClick={submit}>
        Save
      </button>{" "}
      <button type="button" className="link" onClick={() => setText(null)}>
        Cancel
      </button>
    </div>
  );
}

function Records({ datasetId, denied }: { datasetId: string; denied: string }) {
  // Page tokens of the pages before the current one (MLflow's records are paged by token).
  const [tokens, setTokens] = useState<string[]>([""]);
  const token = tokens[tokens.length - 1] ?? "";
  const page = useDatasetRecords(datasetId, token);
  return (
    <section aria-label="Records">
      <h2>Records</h2>
      <ErrorBanner error={page.error} />
      {page.data ? (
        <table className="plain results" aria-label="Records">
          <thead>
            <tr>
              <th>Record</th>
              <th>Inputs</th>
              <th>Expectations</th>
              <th>Outputs</th>
              <th>Source</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {page.data.records.map((r) => (
              <tr key={r.dataset_record_id} data-record={r.dataset_record_id}>
                <td className="muted small">{r.dataset_record_id}</td>
                <td>
                  <pre className="json">{compactJson(r.inputs)}</pre>
                </td>
                <td>
                  <ExpectationsEditor datasetId={datasetId} record={r} denied={denied} />
                </td>
                <td>
                  <pre className="json">{compactJson(r.outputs)}</pre>
                </td>
                <td>{r.source_type ?? "—"}</td>
                <td>{formatTime(r.last_update_time)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">Loading records…</p>
      )}
      <div className="toolbar">
        <button type="button" disabled={tokens.length <= 1} onClick={() => setTokens(tokens.slice(0, -1))}>
          Previous
        </button>
        <span className="muted">Page {tokens.length}</span>
        <button
          type="button"
          disabled={!page.data?.next || page.isPlaceholderData}
          onClick={() => page.data?.next && setTokens([...tokens, page.data.next])}
        >
          Next
        </button>
      </div>
    </section>
  );
}

function ChangeList({ title, changes, show }: { title: string; changes: DatasetRecordChange[]; show: "before" | "after" | "both" }) {
  if (changes.length === 0) return null;
  return (
    <section aria-label={title}>
      <h3>
        {changes.length} {title}
      </h3>
      <table className="plain">
        <tbody>
          {changes.map((c) => (
            <tr key={c.dataset_record_id} data-record={c.dataset_record_id}>
              <td className="muted small">{c.dataset_record_id}</td>
              <td>
                <pre className="json">{compactJson((c.after ?? c.before)?.inputs)}</pre>
              </td>
              <td>
                {show === "both" ? (
                  c.fields
                    .filter((f) => f !== "inputs")
                    .map((f) => (
                      <div key={f}>
                        <span className="muted">{f}:</span>{" "}
                        <del>{compactJson((c.before as Record<string, unknown> | undefined)?.[f])}</del> →{" "}
                        <ins>{compactJson((c.after as Record<string, unknown> | undefined)?.[f])}</ins>
                      </div>
                    ))
                ) : (
                  <pre className="json">{compactJson((show === "after" ? c.after : c.before)?.expectations)}</pre>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Diff({ diff }: { diff: DatasetDiff }) {
  const none = diff.added.length + diff.removed.length + diff.changed.length === 0;
  return (
    <div data-testid="dataset-diff">
      {none ? <p className="muted">No record changed between these versions.</p> : null}
      <ChangeList title="added" changes={diff.added} show="after" />
      <ChangeList title="removed" changes={diff.removed} show="before" />
      <ChangeList title="changed" changes={diff.changed} show="both" />
    </div>
  );
}

function Versions({ datasetId }: { datasetId: string }) {
  const [params, setParams] = useSearchParams();
  const versions = useDatasetVersions(datasetId);
  const list = versions.data ?? [];
  // The versions picked are state (a radio answers at once), mirrored to the URL for sharing;
  // until one is picked, the two newest.
  const [picked, setPicked] = useState<{ from: number; to: number } | null>(() =>
    params.has("from") && params.has("to") ? { from: Number(params.get("from")), to: Number(params.get("to")) } : null,
  );
  const to = picked?.to ?? list[0]?.version ?? 0;
  const from = picked?.from ?? list[1]?.version ?? 0;
  const diff = useDatasetDiff(datasetId, Math.min(from, to), Math.max(from, to));
  const pick = (name: "from" | "to", v: number) => {
    const next = { from: name === "from" ? v : from, to: name === "to" ? v : to };
    setPicked(next);
    setParams(
      (prev) => {
        const search = new URLSearchParams(prev);
        search.set("from", String(next.from));
        search.set("to", String(next.to));
        return search;
      },
      { replace: true },
    );
  };
  return (
    <section aria-label="Versions">
      <h2>Versions</h2>
      <ErrorBanner error={versions.error} />
      <table className="plain" aria-label="Versions">
        <thead>
          <tr>
            <th>From</th>
            <th>To</th>
            <th>Version</th>
            <th>Change</th>
            <th>+ / ~ / −</th>
            <th>Records</th>
            <th>Digest</th>
            <th>Made</th>
          </tr>
        </thead>
        <tbody>
          {list.map((v) => (
            <tr key={v.version} data-version={v.version}>
              <td>
                <input type="radio" name="from" aria-label={`Diff from version ${v.version}`} checked={from === v.version} onChange={() => pick("from", v.version)} />
              </td>
              <td>
                <input type="radio" name="to" aria-label={`Diff to version ${v.version}`} checked={to === v.version} onChange={() => pick("to", v.version)} />
              </td>
              <td>{v.version}</td>
              <td>{v.change}</td>
              <td>
                +{v.inserted} / ~{v.updated} / −{v.deleted}
              </td>
              <td>{v.num_records}</td>
              <td className="muted">{v.digest}</td>
              <td>
                {formatTime(v.created_time)}
                {v.created_by ? ` by ${v.created_by}` : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {from && to && from !== to ? (
        <>
          <h3>
            Version {Math.min(from, to)} → {Math.max(from, to)}
          </h3>
          <ErrorBanner error={diff.error} />
          {diff.data ? <Diff diff={diff.data} /> : <p className="muted">Loading the diff…</p>}
        </>
      ) : (
        <p className="muted">Pick two versions to see what changed.</p>
      )}
    </section>
  );
}

/** One evaluation dataset: its records (paged, expectations editable), versions and a diff. */
export default function DatasetPage() {
  const { datasetId = "" } = useParams();
  const dataset = useDataset(datasetId);
  const can = useCan("evaluation_dataset", datasetId);
  const denied = can.why("EDIT", "edit its records");
  const d = dataset.data;
  const tags = Object.entries(parseJsonObject(d?.tags)).filter(([k]) => !k.startsWith("mlflow."));
  return (
    <section>
      <p>
        <Link to={datasetsPath()}>Datasets</Link> ›
      </p>
      <h1>{d?.name ?? "Dataset"}</h1>
      <ErrorBanner error={dataset.error} />
      {d ? (
        <p className="muted">
          {d.dataset_id} · version {d.version} · {recordCount(d.profile) ?? "?"} records · digest {d.digest}
          {d.experiment_ids.length ? " · experiments " : ""}
          {d.experiment_ids.map((e, i) => (
            <span key={e}>
              {i > 0 ? ", " : ""}
              <Link to={runsPath(e)}>{e}</Link>
            </span>
          ))}
          {tags.length ? ` · tags ${tags.map(([k, v]) => `${k}=${compactJson(v)}`).join(", ")}` : ""}
        </p>
      ) : null}
      <Records datasetId={datasetId} denied={denied} />
      <Versions datasetId={datasetId} />
    </section>
  );
}
