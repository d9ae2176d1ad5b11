import { useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { useEvaluationRuns, useEvaluationSummaries } from "@ardea/api/queries/evaluations";
import type { EvaluationScorerSummary, Run } from "@ardea/api/types";
import { ExperimentHeader } from "@ardea/components/experiment/ExperimentHeader";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime, toNumber } from "@ardea/lib/format";
import { evaluationComparePath, evaluationPath, runPath } from "@ardea/lib/paths";
import { ScorerCell, scorerDomains } from "./ScorerSummaries";
import "./evaluations.css";

/** Baseline (the older run) and candidate (the newer) of two selected runs. */
export function baselineFirst(runs: readonly Run[], selected: readonly string[]): [string, string] | null {
  if (selected.length !== 2) return null;
  const picked = selected.map((id) => runs.find((r) => r.info.run_id === id));
  if (picked.some((r) => r === undefined)) return null;
  const [x, y] = picked as [Run, Run];
  return toNumber(x.info.start_time) <= toNumber(y.info.start_time)
    ? [x.info.run_id, y.info.run_id]
    : [y.info.run_id, x.info.run_id];
}

/**
 * An experiment's evaluation runs (tag `mlflow.runType = genai_evaluate`), newest first, each
 * with every scorer's aggregate and 95% interval. Two selected runs open the comparison (the
 * older one is the baseline); `?sel=` keeps the selection in the URL.
 */
export default function EvaluationsPage() {
  const { experimentId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const runs = useEvaluationRuns(experimentId);
  const list = useMemo(() => runs.data ?? [], [runs.data]);
  const summaries = useEvaluationSummaries(list.map((r) => r.info.run_id));
  const byRun = new Map<string, EvaluationScorerSummary[]>();
  list.forEach((r, i) => {
    const data = summaries[i]?.data;
    if (data) byRun.set(r.info.run_id, data.scorers);
  });
  const scorerNames = [...new Set([...byRun.values()].flatMap((s) => s.map((x) => x.scorer)))].sort();
  const domains = scorerDomains([...byRun.values()]);
  // The selection is state (a checkbox answers at once), mirrored to the URL for sharing.
  const [selected, setSelected] = useState<string[]>(() => params.getAll("sel").slice(-2));
  const pair = baselineFirst(list, selected);

  const toggle = (runId: string) => {
    const kept = selected.includes(runId) ? selected.filter((s) => s !== runId) : [...selected, runId].slice(-2);
    setSelected(kept);
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        next.delete("sel");
        for (const s of kept) next.append("sel", s);
        return next;
      },
      { replace: true },
    );
  };

  return (
    <section>
      <ExperimentHeader experimentId={experimentId} />
      <div className="toolbar">
        <button
          type="button"
          disabled={pair === null}
          title={pair === null ? "Select two evaluations to compare" : "Compare the older (baseline) with the newer (candidate)"}
          onClick={() => pair && navigate(evaluationComparePath(experimentId, pair[0], pair[1]))}
        >
          Compare
        </button>
        <span className="muted">{selected.length} of 2 selected</span>
      </div>
      <ErrorBanner error={runs.error} />
      {runs.isPending ? <p className="muted">Loading evaluations…</p> : null}
      {runs.data && list.length === 0 ? (
        <p className="muted" data-testid="no-evaluations">
          No evaluation runs in this experiment yet. Runs that <code>ardea.evaluate()</code> or <code>mlflow.genai.evaluate()</code>{" "}
          log (tag <code>mlflow.runType = genai_evaluate</code>) appear here with their scores.
        </p>
      ) : null}
      {list.length > 0 ? (
        <div className="table-scroll">
          <table className="plain evaluations" aria-label="Evaluations">
            <thead>
              <tr>
                <th aria-label="Select" />
                <th>Evaluation</th>
                <th>Started</th>
                <th>Rows</th>
                {scorerNames.map((n) => (
                  <th key={n}>{n}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {list.map((r, i) => {
                const id = r.info.run_id;
                const summary = summaries[i];
                const scorers = byRun.get(id) ?? [];
                const name = r.info.run_name || id;
                return (
                  <tr key={id} data-run={name} className={selected.includes(id) ? "selected" : ""}>
                    <td>
                      <input type="checkbox" aria-label={`Select ${name}`} checked={selected.includes(id)} onChange={() => toggle(id)} />
                    </td>
                    <td>
                      <Link to={evaluationPath(experimentId, id)}>{name}</Link>{" "}
                      <Link className="muted small" to={runPath(experimentId, id)}>
                        run
                      </Link>
                    </td>
                    <td>{formatTime(r.info.start_time)}</td>
                    <td>{summary?.data?.n_rows ?? (summary?.isPending ? "…" : "—")}</td>
                    {scorerNames.map((n) => (
                      <td key={n}>
                        <ScorerCell summary={scorers.find((s) => s.scorer === n)} domain={domains.get(n) ?? [0, 1]} />
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
          {summaries.map((s, i) => (s.error ? <ErrorBanner key={list[i]!.info.run_id} error={s.error} /> : null))}
        </div>
      ) : null}
    </section>
  );
}
