import { Link, useParams, useSearchParams } from "react-router";
import { useEvaluationComparison } from "@ardea/api/queries/evaluations";
import { useRun } from "@ardea/api/queries/runs";
import type { EvaluationComparison, EvaluationScorerComparison } from "@ardea/api/types";
import { ExperimentHeader } from "@ardea/components/experiment/ExperimentHeader";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { evaluationComparePath, evaluationPath, evaluationsPath, tracePath } from "@ardea/lib/paths";
import { DiffBar } from "./IntervalBar";
import { formatNumber, formatP, formatPercent, rowKeyLabel, verdictClass, verdictLabel } from "./scores";
import "./evaluations.css";

const CORRECTIONS = [
  ["holm", "Holm"],
  ["bh", "Benjamini-Hochberg"],
  ["none", "none"],
] as const;

function value(s: EvaluationScorerComparison, v: number | null): string {
  return s.kind === "binary" ? formatPercent(v) : formatNumber(v);
}

function diffText(s: EvaluationScorerComparison): string {
  if (s.diff === null) return "—";
  const f = (v: number | null) => (s.kind === "binary" ? formatPercent(v) : formatNumber(v));
  const sign = s.diff > 0 ? "+" : "";
  const interval = s.diff_low === null || s.diff_high === null ? "" : ` [${f(s.diff_low)}, ${f(s.diff_high)}]`;
  return `${sign}${f(s.diff)}${interval}`;
}

/** Per scorer: A, B, the difference with its interval, the corrected p and the verdict. */
export function ComparisonTable({ comparison }: { comparison: EvaluationComparison }) {
  // Each whisker's scale: pass-rate differences share one; a numeric scorer has its own units.
  const reach = (s: EvaluationScorerComparison) => Math.max(0, ...[s.diff_low, s.diff_high, s.diff].map((v) => Math.abs(v ?? 0)));
  const rateSpan = Math.max(0, ...comparison.scorers.filter((s) => s.kind === "binary").map(reach));
  const spanOf = (s: EvaluationScorerComparison) => (s.kind === "binary" ? rateSpan : reach(s));
  return (
    <table className="plain" aria-label="Comparison">
      <thead>
        <tr>
          <th>Scorer</th>
          <th>Kind</th>
          <th>Pairs</th>
          <th>Baseline (A)</th>
          <th>Candidate (B)</th>
          <th>B − A (95% interval)</th>
          <th>p (corrected)</th>
          <th>Test</th>
          <th>Verdict</th>
        </tr>
      </thead>
      <tbody>
        {comparison.scorers.map((s) => (
          <tr key={s.scorer} data-scorer={s.scorer} className={verdictClass(s.verdict)}>
            <td>{s.scorer}</td>
            <td>{s.kind}</td>
            <td>
              {s.n_paired}
              {s.n_missing ? <span className="muted small"> ({s.n_missing} missing)</span> : null}
            </td>
            <td>{value(s, s.a_value)}</td>
            <td>{value(s, s.b_value)}</td>
            <td>
              <span>{diffText(s)}</span>
              <DiffBar
                diff={s.diff}
                low={s.diff_low}
                high={s.diff_high}
                domain={spanOf(s)}
                tone={verdictClass(s.verdict)}
                label={`${s.scorer} difference ${diffText(s)}`}
              />
            </td>
            <td title={`uncorrected p = ${formatP(s.p_value)}`}>{formatP(s.p_adjusted)}</td>
            <td className="muted">{s.test || "—"}</td>
            <td>
              <span className={`verdict ${verdictClass(s.verdict)}`}>{verdictLabel(s.verdict)}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The rows that regressed or improved per scorer, each opening both traces. */
export function ChangedRows({ comparison, experimentId }: { comparison: EvaluationComparison; experimentId: string }) {
  const traces = new Map(comparison.rows.map((r) => [r.key, r]));
  const groups = comparison.scorers.flatMap((s) =>
    (
      [
        ["regressed", s.regressed_rows],
        ["improved", s.improved_rows],
        ["changed", s.kind === "categorical" ? s.changed_rows : []],
      ] as const
    )
      .filter(([, rows]) => rows.length > 0)
      .map(([kind, rows]) => ({ scorer: s.scorer, kind, rows })),
  );
  if (groups.length === 0) return <p className="muted">No row changed its verdict.</p>;
  return (
    <>
      {groups.map((g) => (
        <section key={`${g.scorer}-${g.kind}`} aria-label={`${g.scorer} ${g.kind}`}>
          <h3>
            <span className={`verdict ${verdictClass(g.kind)}`}>{g.rows.length} {g.kind}</span> on {g.scorer}
          </h3>
          <ul className="changed-rows">
            {g.rows.map((key) => {
              const t = traces.get(key);
              return (
                <li key={key} data-row={key}>
                  {rowKeyLabel(key)}:{" "}
                  {t?.baseline_trace_id ? <Link to={tracePath(experimentId, t.baseline_trace_id)}>baseline trace</Link> : "—"} ·{" "}
                  {t?.candidate_trace_id ? <Link to={tracePath(experimentId, t.candidate_trace_id)}>candidate trace</Link> : "—"}
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </>
  );
}

/**
 * Two evaluations side by side (`?a=` baseline, `?b=` candidate, `?correction=`): per scorer
 * the paired difference with its interval and corrected p, the verdict highlighted, and the
 * rows that regressed or improved.
 */
export default function EvaluationComparePage() {
  const { experimentId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const a = params.get("a") ?? "";
  const b = params.get("b") ?? "";
  const correction = params.get("correction") ?? "holm";
  const comparison = useEvaluationComparison(a, b, correction);
  const runA = useRun(a);
  const runB = useRun(b);
  const name = (r: typeof runA, id: string) => r.data?.info.run_name || id;
  const data = comparison.data;

  return (
    <section>
      <ExperimentHeader experimentId={experimentId} />
      <p>
        <Link to={evaluationsPath(experimentId)}>Evaluations</Link> › Compare
      </p>
      <h2>
        <Link to={evaluationPath(experimentId, a)}>{name(runA, a)}</Link> (baseline) vs{" "}
        <Link to={evaluationPath(experimentId, b)}>{name(runB, b)}</Link> (candidate)
      </h2>
      <div className="toolbar">
        <Link to={evaluationComparePath(experimentId, b, a)}>Swap baseline and candidate</Link>
        <label>
          Correction{" "}
          <select
            aria-label="Correction"
            value={correction}
            onChange={(e) =>
              setParams(
                (prev) => {
                  const next = new URLSearchParams(prev);
                  next.set("correction", e.target.value);
                  return next;
                },
                { replace: true },
              )
            }
          >
            {CORRECTIONS.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!a || !b ? <p className="muted">Pick two evaluations in the Evaluations tab.</p> : null}
      <ErrorBanner error={comparison.error} />
      {comparison.isFetching && !data ? <p className="muted">Comparing…</p> : null}
      {data ? (
        <>
          <p className="muted" data-testid="pairing">
            {data.n_pairs} rows paired by dataset record (or inputs); {data.unpaired_a.length} only in the baseline,{" "}
            {data.unpaired_b.length} only in the candidate. p-values corrected across {data.scorers.length} scorers (
            {data.correction}), verdicts at α = {data.alpha}.
          </p>
          <ComparisonTable comparison={data} />
          <h2>Rows that changed</h2>
          <ChangedRows comparison={data} experimentId={experimentId} />
        </>
      ) : null}
    </section>
  );
}
