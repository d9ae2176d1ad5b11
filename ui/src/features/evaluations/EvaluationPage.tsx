import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useEvaluationResults, useEvaluationSummary } from "@ardea/api/queries/evaluations";
import type { EvaluationRow, EvaluationRowScore } from "@ardea/api/types";
import { ExperimentHeader } from "@ardea/components/experiment/ExperimentHeader";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { evaluationsPath, runPath, tracePath } from "@ardea/lib/paths";
import { ScorerSummaryTable } from "./ScorerSummaries";
import { filterRows, formatScore, isFail, isPass, rowHasError, type RowFilter } from "./scores";
import "./evaluations.css";

/** Rows shown per page of the grid. */
export const GRID_PAGE = 100;

function clip(text: string | undefined, n = 160): string {
  if (!text) return "";
  return text.length > n ? `${text.slice(0, n)}…` : text;
}

/** One scorer's verdict on one row: the value, and its rationale or error when expanded. */
export function ScoreCell({ score }: { score: EvaluationRowScore | undefined }) {
  if (!score) return <span className="muted">—</span>;
  const tone = score.error !== undefined ? "error" : isFail(score.value) ? "fail" : isPass(score.value) ? "pass" : "";
  const label = score.error !== undefined ? "error" : formatScore(score.value);
  const detail = score.error ?? score.rationale;
  if (!detail) return <span className={`score ${tone}`}>{label}</span>;
  return (
    <details className="score-cell">
      <summary title={detail}>
        <span className={`score ${tone}`}>{label}</span> <span className="muted small">▸</span>
      </summary>
      <p className="rationale">{detail}</p>
    </details>
  );
}

function Expectations({ row }: { row: EvaluationRow }) {
  const entries = Object.entries(row.expectations);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <>
      {entries.map(([k, v]) => (
        <div key={k}>
          <span className="muted">{k}:</span> {clip(typeof v === "string" ? v : JSON.stringify(v), 100)}
        </div>
      ))}
    </>
  );
}

/**
 * One evaluation's results: the scorer summary, then a rows-by-scorers grid (each row opens
 * its trace). Filters in the URL: `?failed=<scorer>` (rows that failed it), `?errors=1` (rows
 * with an error), `?q=` (text in the previews or trace id).
 */
export default function EvaluationPage() {
  const { experimentId = "", runId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const [page, setPage] = useState(0);
  const results = useEvaluationResults(runId);
  const summary = useEvaluationSummary(runId);
  // The filters are state (controls answer at once), mirrored to the URL for sharing.
  const [filter, setFilter] = useState<RowFilter>(() => ({
    failedOn: params.get("failed") ?? "",
    errorsOnly: params.get("errors") === "1",
    text: params.get("q") ?? "",
  }));
  const scorers = results.data?.scorers ?? [];
  const rows = results.data ? filterRows(results.data.rows, filter) : [];
  const pages = Math.max(1, Math.ceil(rows.length / GRID_PAGE));
  const current = Math.min(page, pages - 1);
  const shown = rows.slice(current * GRID_PAGE, (current + 1) * GRID_PAGE);

  const update = (name: "failed" | "errors" | "q", value: string) => {
    setPage(0);
    setFilter((f) => ({
      ...f,
      ...(name === "failed" ? { failedOn: value } : name === "errors" ? { errorsOnly: value === "1" } : { text: value }),
    }));
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );
  };

  return (
    <section>
      <ExperimentHeader experimentId={experimentId} />
      <p>
        <Link to={evaluationsPath(experimentId)}>Evaluations</Link> ›{" "}
        <strong>{results.data?.run_name || summary.data?.run_name || runId}</strong>{" "}
        <Link className="muted small" to={runPath(experimentId, runId)}>
          run page
        </Link>
      </p>
      <ErrorBanner error={summary.error} />
      {summary.data ? <ScorerSummaryTable scorers={summary.data.scorers} /> : null}
      <h2>Rows</h2>
      <div className="toolbar">
        <label>
          Failed on{" "}
          <select aria-label="Failed on" value={filter.failedOn} onChange={(e) => update("failed", e.target.value)}>
            <option value="">any scorer</option>
            {scorers.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={filter.errorsOnly} onChange={(e) => update("errors", e.target.checked ? "1" : "")} /> Errors only
        </label>
        <input
          className="grow"
          type="search"
          aria-label="Search rows"
          placeholder="Search inputs, outputs, trace id"
          value={filter.text}
          onChange={(e) => update("q", e.target.value)}
        />
        <span className="muted" data-testid="row-count">
          {results.data ? `${rows.length} of ${results.data.rows.length} rows` : ""}
        </span>
      </div>
      <ErrorBanner error={results.error} />
      {results.isPending ? <p className="muted">Loading rows…</p> : null}
      {results.data ? (
        <div className="table-scroll">
          <table className="plain results" aria-label="Results">
            <thead>
              <tr>
                <th>Trace</th>
                <th>Inputs</th>
                <th>Outputs</th>
                <th>Expectations</th>
                {scorers.map((s) => (
                  <th key={s}>{s}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((row) => (
                <tr key={row.trace_id} data-trace={row.trace_id} className={rowHasError(row) ? "row-error" : ""}>
                  <td>
                    <Link to={tracePath(experimentId, row.trace_id)} title={row.trace_id}>
                      {row.record_id ?? row.trace_id}
                    </Link>
                    {row.state === "ERROR" ? <span className="score error"> error</span> : null}
                  </td>
                  <td className="preview">{clip(row.request_preview)}</td>
                  <td className="preview">{clip(row.response_preview)}</td>
                  <td className="preview">
                    <Expectations row={row} />
                  </td>
                  {scorers.map((s) => (
                    <td key={s} data-scorer={s}>
                      <ScoreCell score={row.scores[s]} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {pages > 1 ? (
            <div className="toolbar">
              <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>
                Previous
              </button>
              <span className="muted">
                Page {current + 1} of {pages}
              </span>
              <button type="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
                Next
              </button>
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
