import { fmtEstimate, type OptimizationCandidate } from "./optimization";

const W = 520;
const H = 180;
const PAD = { left: 36, right: 12, top: 14, bottom: 24 };

/**
 * Each candidate's training score (point) and interval (whisker) in the order the search
 * scored them; the winner is marked. SVG attributes and classes only (the CSP allows no
 * inline styles).
 */
export function CandidateChart({ candidates, bestIndex }: { candidates: OptimizationCandidate[]; bestIndex: number }) {
  const top = Math.max(1, ...candidates.map((c) => c.interval.high ?? c.score));
  const bottom = Math.min(0, ...candidates.map((c) => c.interval.low ?? c.score));
  const y = (v: number) => PAD.top + (1 - (v - bottom) / (top - bottom || 1)) * (H - PAD.top - PAD.bottom);
  const step = (W - PAD.left - PAD.right) / Math.max(1, candidates.length);
  const x = (i: number) => PAD.left + step * (i + 0.5);
  const ticks = [bottom, (bottom + top) / 2, top];
  return (
    <svg className="candidate-chart" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Candidate scores on the training rows">
      {ticks.map((t) => (
        <g key={t}>
          <line className="estimate-axis" x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} />
          <text className="tick" x={PAD.left - 4} y={y(t) + 3} textAnchor="end">
            {t.toFixed(2)}
          </text>
        </g>
      ))}
      {candidates.map((c, i) => {
        const best = c.index === bestIndex;
        const label = `candidate ${c.index}${best ? " (best)" : ""}: ${fmtEstimate(c.interval)}`;
        return (
          <g key={c.index} className={`point${best ? " best" : ""}`} role="img" aria-label={label}>
            {c.interval.low !== null && c.interval.high !== null ? (
              <line className="whisker" x1={x(i)} x2={x(i)} y1={y(c.interval.low)} y2={y(c.interval.high)} />
            ) : null}
            <circle cx={x(i)} cy={y(c.score)} r={best ? 5 : 3.5} />
            <text className="tick" x={x(i)} y={H - 8} textAnchor="middle">
              {c.index}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
