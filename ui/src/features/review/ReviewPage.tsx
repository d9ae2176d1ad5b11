import { useEffect, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams, useSearchParams } from "react-router";
import { useDatasets } from "@ardea/api/queries/datasets";
import { fetchNextItem, useLabelsToDataset, useReviewItem, useReviewQueue, useSkipItem, useSubmitLabels } from "@ardea/api/queries/review";
import { spanLevelQuery, useTraceInfo } from "@ardea/api/queries/traces";
import type { LabelSchema } from "@ardea/api/types";
import { ExperimentBreadcrumbs } from "@ardea/components/experiment/ExperimentBreadcrumbs";
import { ChatView } from "@ardea/components/trace/ChatView";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { spanAttributes } from "@ardea/lib/otel";
import { reviewPath, tracePath } from "@ardea/lib/paths";
import { conversation, judgeVerdicts } from "./conversation";
import { keyAction, SHORTCUTS } from "./keys";
import { canSubmit, labelsOf, type LabelValues, missingRequired, numericProblem, toSubmission } from "./labels";
import { ProgressBar } from "./ProgressBar";
import "./review.css";

function Conversation({ traceId }: { traceId: string }) {
  const roots = useQuery(spanLevelQuery(traceId, "", ""));
  const root = roots.data?.spans?.[0];
  const attrs = root ? spanAttributes(root) : undefined;
  const messages = conversation(attrs?.get("mlflow.spanInputs"), attrs?.get("mlflow.spanOutputs"));
  if (roots.error) return <ErrorBanner error={roots.error} />;
  if (!roots.data) return <p className="muted">Loading the conversation…</p>;
  return messages.length ? <ChatView messages={messages} label="Conversation" /> : <p className="muted">No request or response recorded.</p>;
}

function Verdicts({ traceId }: { traceId: string }) {
  const info = useTraceInfo(traceId);
  const verdicts = judgeVerdicts(info.data?.assessments);
  if (!verdicts.length) return <p className="muted">No judge verdicts on this trace.</p>;
  return (
    <ul className="verdicts-list" aria-label="Judge verdicts">
      {verdicts.map((v) => (
        <li key={v.assessment_id} data-judge={v.assessment_name}>
          <strong>{v.assessment_name}</strong>: <span className="verdict-value">{JSON.stringify(v.feedback?.value ?? null)}</span>
          <span className="muted small"> · {v.source.source_id}</span>
          {v.rationale ? <div className="small">{v.rationale}</div> : null}
        </li>
      ))}
    </ul>
  );
}

function Field({ schema, value, onChange }: { schema: LabelSchema; value: unknown; onChange: (v: unknown) => void }) {
  const title = schema.title || schema.name;
  const legend = (
    <legend>
      {title}
      {schema.required ? " *" : ""}
    </legend>
  );
  if (schema.type === "pass_fail")
    return (
      <fieldset data-schema={schema.name}>
        {legend}
        {schema.instruction ? <div className="muted small">{schema.instruction}</div> : null}
        <div className="options">
          {[true, false].map((v) => (
            <label key={String(v)}>
              <input type="radio" name={schema.name} checked={value === v} onChange={() => onChange(v)} /> {v ? "Pass (p)" : "Fail (f)"}
            </label>
          ))}
        </div>
      </fieldset>
    );
  if (schema.type === "categorical")
    return (
      <fieldset data-schema={schema.name}>
        {legend}
        {schema.instruction ? <div className="muted small">{schema.instruction}</div> : null}
        <div className="options">
          {(schema.options ?? []).map((o, i) => (
            <label key={o}>
              <input type="radio" name={schema.name} checked={value === o} onChange={() => onChange(o)} /> {o}
              {i < 9 ? <span className="muted small"> ({i + 1})</span> : null}
            </label>
          ))}
        </div>
      </fieldset>
    );
  if (schema.type === "numeric") {
    const problem = numericProblem(schema, value);
    return (
      <fieldset data-schema={schema.name}>
        {legend}
        <input
          type="number"
          aria-label={title}
          min={schema.min ?? undefined}
          max={schema.max ?? undefined}
          value={typeof value === "string" || typeof value === "number" ? value : ""}
          onChange={(e) => onChange(e.target.value)}
        />
        {problem ? <div className="problem">{problem}</div> : null}
      </fieldset>
    );
  }
  return (
    <fieldset data-schema={schema.name}>
      {legend}
      {schema.instruction ? <div className="muted small">{schema.instruction}</div> : null}
      <textarea aria-label={title} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value)} />
    </fieldset>
  );
}

function AddToDataset({ queueId, experimentId, itemId }: { queueId: string; experimentId: string; itemId: string }) {
  const datasets = useDatasets(experimentId);
  const [datasetId, setDatasetId] = useState("");
  const send = useLabelsToDataset(queueId);
  return (
    <div className="toolbar">
      <select aria-label="Dataset" value={datasetId} onChange={(e) => setDatasetId(e.target.value)}>
        <option value="">Add to dataset…</option>
        {(datasets.data ?? []).map((d) => (
          <option key={d.dataset_id} value={d.dataset_id}>
            {d.name}
          </option>
        ))}
      </select>
      <button type="button" disabled={!datasetId || send.isPending} onClick={() => send.mutate({ datasetId, itemIds: [itemId] })}>
        Add to dataset
      </button>
      {send.data ? <span className="muted">added</span> : null}
      <ErrorBanner error={send.error} />
    </div>
  );
}

const inField = () => {
  const el = document.activeElement;
  return el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement || (el instanceof HTMLInputElement && el.type !== "radio");
};

/**
 * The focused review page: one item at a time (the caller's next, or `?item=`), its trace's
 * conversation and the judges' verdicts beside the queue's label form. Keyboard first: see
 * {@link SHORTCUTS} (`?` shows them).
 */
export default function ReviewPage() {
  const { experimentId = "", queueId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const itemId = params.get("item") ?? "";
  const queue = useReviewQueue(queueId);
  const item = useReviewItem(itemId);
  // What the reviewer typed for the item shown; until then, the item's earlier labels.
  const [edits, setEdits] = useState<{ id: string; values: LabelValues } | null>(null);
  const [history, setHistory] = useState<string[]>([]);
  const [help, setHelp] = useState(false);
  const [notice, setNotice] = useState("");
  const [finding, setFinding] = useState(false);
  const [findError, setFindError] = useState<unknown>(null);
  const submit = useSubmitLabels(queueId);
  const skip = useSkipItem(queueId);
  const schemas = queue.data?.queue.label_schemas ?? [];
  const current = item.data?.item;
  const started = useRef(false);
  const traceInfo = useTraceInfo(current?.trace_id ?? "", current?.state === "done" && !!current.trace_id);
  const earlier = current?.state === "done" ? labelsOf(schemas, traceInfo.data?.assessments, current.assessment_ids) : {};
  const values = edits?.id === itemId ? edits.values : earlier;
  const setValue = (name: string, value: unknown) => setEdits({ id: itemId, values: { ...values, [name]: value } });

  const show = (id: string, remember: boolean) => {
    if (remember && itemId) setHistory((h) => [...h, itemId]);
    setEdits(null);
    setNotice("");
    submit.reset();
    skip.reset();
    setParams({ item: id }, { replace: false });
  };

  /** The caller's next item after this one (`wrap`: else from the queue's start). */
  const goNext = async (wrap: boolean) => {
    setFinding(true);
    setFindError(null);
    try {
      const after = current?.position ?? 0;
      let found = await fetchNextItem(queueId, after);
      if (!found && wrap && after > 0) found = await fetchNextItem(queueId, 0);
      if (found && found.item_id !== itemId) show(found.item_id, true);
      else if (!found) setNotice(wrap ? "All done: nothing left for you in this queue." : "No more items after this one.");
    } catch (error) {
      setFindError(error);
    } finally {
      setFinding(false);
    }
  };

  // Without `?item=`, start at the caller's next item (once).
  useEffect(() => {
    if (itemId || started.current) return;
    started.current = true;
    void goNext(true);
  });

  const doSubmit = () => {
    if (!current || !canSubmit(schemas, values) || submit.isPending) return;
    submit.mutate({ item_id: current.item_id, labels: toSubmission(schemas, values) }, { onSuccess: () => void goNext(true) });
  };

  const doSkip = () => {
    if (!current || skip.isPending) return;
    skip.mutate(current.item_id, { onSuccess: () => void goNext(true) });
  };

  const previous = () => {
    const last = history[history.length - 1];
    if (!last) return;
    setHistory((h) => h.slice(0, -1));
    show(last, false);
  };

  // The shortcuts, bound afresh each render (so they always see the current item and form).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = keyAction({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, inField: inField() }, schemas);
      if (!action) return;
      e.preventDefault();
      if (action.kind === "set") setValue(action.name, action.value);
      else if (action.kind === "next") void goNext(false);
      else if (action.kind === "previous") previous();
      else if (action.kind === "submit") doSubmit();
      else if (action.kind === "skip") doSkip();
      else if (action.kind === "help") setHelp((h) => !h);
      else if (action.kind === "escape") {
        setHelp(false);
        if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const missing = missingRequired(schemas, values);
  return (
    <section>
      <ExperimentBreadcrumbs experimentId={experimentId}>
        <Link to={reviewPath.queues(experimentId)}>Review</Link>
        <Link to={reviewPath.queue(experimentId, queueId)}>{queue.data?.queue.name ?? queueId}</Link>
        <span>Review</span>
      </ExperimentBreadcrumbs>
      <div className="toolbar">
        <h1>{queue.data?.queue.name ?? "Review"}</h1>
        <ProgressBar progress={queue.data?.progress} label="Queue progress" />
        <button type="button" onClick={() => setHelp(!help)} aria-expanded={help}>
          Shortcuts (?)
        </button>
      </div>
      {help ? (
        <div className="shortcut-help" role="dialog" aria-label="Keyboard shortcuts">
          <table className="plain">
            <tbody>
              {SHORTCUTS.map(([key, what]) => (
                <tr key={key}>
                  <td>
                    <span className="kbd">{key}</span>
                  </td>
                  <td>{what}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <ErrorBanner error={queue.error ?? item.error ?? findError} />
      {notice ? (
        <p role="status" data-testid="review-notice">
          {notice}
        </p>
      ) : null}
      {finding && !current ? <p className="muted">Finding your next item…</p> : null}
      {current ? (
        <div className="review-layout" data-testid="review-item" data-item-id={current.item_id} data-state={current.state}>
          <div>
            <p className="muted">
              Item {current.position} · {current.state}
              {current.assignee ? ` · assigned to ${current.assignee}` : ""}
              {current.trace_id ? (
                <>
                  {" · "}
                  <Link to={tracePath(experimentId, current.trace_id)}>{current.trace_id}</Link>
                </>
              ) : null}
            </p>
            {current.trace_id ? <Conversation traceId={current.trace_id} /> : null}
          </div>
          <div>
            <h2>Judges</h2>
            {current.trace_id ? <Verdicts traceId={current.trace_id} /> : null}
            <h2>Your labels</h2>
            <form
              className="review-form"
              aria-label="Labels"
              onSubmit={(e) => {
                e.preventDefault();
                doSubmit();
              }}
            >
              {schemas.map((s) => (
                <Field key={s.name} schema={s} value={values[s.name]} onChange={(v) => setValue(s.name, v)} />
              ))}
              {missing.length ? <div className="muted small">Needed: {missing.join(", ")}</div> : null}
              <ErrorBanner error={submit.error ?? skip.error} />
              <div className="toolbar">
                <button type="submit" disabled={!canSubmit(schemas, values) || submit.isPending}>
                  Submit (Enter)
                </button>
                <button type="button" onClick={doSkip} disabled={skip.isPending || current.state !== "pending"}>
                  Skip (s)
                </button>
                <button type="button" onClick={previous} disabled={history.length === 0}>
                  Previous (k)
                </button>
                <button type="button" onClick={() => void goNext(false)} disabled={finding}>
                  Next (j)
                </button>
              </div>
            </form>
            {current.state === "done" ? <AddToDataset queueId={queueId} experimentId={experimentId} itemId={current.item_id} /> : null}
          </div>
        </div>
      ) : null}
    </section>
  );
}
