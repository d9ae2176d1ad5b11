import type { EvaluationEstimate, JudgeAlignment } from "@ardea/api/types";
import { formatTime } from "@ardea/lib/format";

type Measure = "kappa" | "accuracy";

const W = 320;
const H = 140;
const PAD = { left: 34, right: 10, top: 10, bottom: 22 };
const DOMAIN: Record<Measure, [number, number]> = { kappa: [-1, 1], accuracy: [0, 1] };
const TITLE: Record<Measure, string> = { kappa: "Cohen's kappa", accuracy: "Accuracy" };

/** The estimate named `name` of an agreement (`before`/`after` of a run), if measured. */
export function estimateOf(agreement: JudgeAlignment["before"], name: string): EvaluationEstimate | undefined {
  const estimates = (agreement as { estimates?: EvaluationEstimate[] }).estimates ?? [];
  return estimates.find((e) => e.name === name && e.value !== null);
}

/** A value as text with 3 decimals, or "–". */
export function fmt(e: EvaluationEstimate | undefined): string {
  return e && e.value !== null ? e.value.toFixed(3) : "–";
}

function Whisker({ e, x, y, className, label }: { e: EvaluationEstimate; x: number; y: (v: number) => number; className: string; label: string }) {
  const value = e.value ?? 0;
  return (
    <g className={className} aria-label={label} role="img">
      {e.low !== null && e.high !== null ? <line className="whisker" x1={x} x2={x} y1={y(e.low)} y2={y(e.high)} /> : null}
      <circle cx={x} cy={y(value)} r={3.5} />
      <title>{label}</title>
    </g>
  );
}

/**
 * One measure over a judge's alignment runs: per run the base judge's value (hollow) and the
 * aligned judge's (filled: promoted or rejected) on the held-out labels, each with its interval.
 * SVG attributes and classes only (the server's CSP allows no inline styles).
 */
export function AgreementChart({ runs, measure }: { runs: JudgeAlignment[]; measure: Measure }) {
  const [lo, hi] = DOMAIN[measure];
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + (1 - (Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * plotH;
  const slot = plotW / Math.max(runs.length, 1);
  const ticks = measure === "kappa" ? [-1, 0, 1] : [0, 0.5, 1];
  return (
    <svg className="agreement-chart" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${TITLE[measure]} per alignment run`}>
      <text className="chart-title" x={PAD.left} y={PAD.top - 1}>
        {TITLE[measure]}
      </text>
      {ticks.map((t) => (
        <g key={t}>
          <line className="estimate-axis" x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} />
          <text className="tick" x={PAD.left - 4} y={y(t) + 3} textAnchor="end">
            {t}
          </text>
        </g>
      ))}
      {runs.map((run, i) => {
        const center = PAD.left + slot * (i + 0.5);
        const before = estimateOf(run.before, measure);
        const after = estimateOf(run.after, measure);
        const decision = run.promoted ? "promoted" : "rejected";
        return (
          <g key={run.alignment_id} data-run={i + 1}>
            {before ? <Whisker e={before} x={center - 6} y={y} className="point before" label={`run ${i + 1} before: ${fmt(before)}`} /> : null}
            {after ? <Whisker e={after} x={center + 6} y={y} className={`point after ${decision}`} label={`run ${i + 1} after (${decision}): ${fmt(after)}`} /> : null}
            <text className="tick" x={center} y={H - 6} textAnchor="middle">
              #{i + 1}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function versions(run: JudgeAlignment): string {
  const base = run.base_version === null ? "unregistered" : `v${run.base_version}`;
  return run.new_version === null ? base : `${base} → v${run.new_version}`;
}

/** A judge's alignment runs: kappa and accuracy charts, then each run's lineage and decision. */
export function AgreementHistory({ name, runs }: { name: string; runs: JudgeAlignment[] }) {
  return (
    <div className="agreement-history" data-judge={name}>
      <div className="agreement-charts">
        <AgreementChart runs={runs} measure="kappa" />
        <AgreementChart runs={runs} measure="accuracy" />
      </div>
      <table className="plain" aria-label={`Alignment runs of ${name}`}>
        <thead>
          <tr>
            <th>Run</th>
            <th>When</th>
            <th>Optimizer</th>
            <th>Labels</th>
            <th>Versions</th>
            <th>Kappa</th>
            <th>Accuracy</th>
            <th>Decision</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run, i) => {
            const labels = run.labels as { count?: number; train?: number; holdout?: number };
            return (
              <tr key={run.alignment_id} data-alignment={run.alignment_id}>
                <td>#{i + 1}</td>
                <td>{formatTime(run.creation_time)}</td>
                <td>{run.optimizer}</td>
                <td data-col="labels">
                  {labels.count ?? "?"}
                  <span className="muted small">
                    {" "}
                    ({labels.train ?? "?"} train, {labels.holdout ?? "?"} held out)
                  </span>
                </td>
                <td data-col="versions">{versions(run)}</td>
                <td>
                  {fmt(estimateOf(run.before, "kappa"))} → {fmt(estimateOf(run.after, "kappa"))}
                </td>
                <td>
                  {fmt(estimateOf(run.before, "accuracy"))} → {fmt(estimateOf(run.after, "accuracy"))}
                </td>
                <td data-col="decision" title={run.reason}>
                  <span className={`verdict-value ${run.promoted ? "promoted" : "rejected"}`}>{run.promoted ? "promoted" : "rejected"}</span>
                  <div className="muted small">{run.reason}</div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
