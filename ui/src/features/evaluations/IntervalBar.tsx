import type { EvaluationEstimate } from "@ardea/api/types";

const W = 140;
const H = 16;

/**
 * An estimate and its interval as a whisker on a fixed scale (`domain`): a line from low to
 * high and a dot at the value. SVG attributes only (the server's CSP allows no inline styles).
 */
export function IntervalBar({
  estimate,
  domain,
  label,
}: {
  estimate: EvaluationEstimate | undefined;
  domain: [number, number];
  label: string;
}) {
  if (!estimate || estimate.value === null) return null;
  const [lo, hi] = domain;
  const x = (v: number) => 4 + ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo || 1)) * (W - 8);
  const y = H / 2;
  return (
    <svg className="interval-bar" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      <line className="interval-axis" x1={4} x2={W - 4} y1={y} y2={y} />
      {estimate.low !== null && estimate.high !== null ? (
        <>
          <line className="interval-range" x1={x(estimate.low)} x2={x(estimate.high)} y1={y} y2={y} />
          <line className="interval-range" x1={x(estimate.low)} x2={x(estimate.low)} y1={y - 4} y2={y + 4} />
          <line className="interval-range" x1={x(estimate.high)} x2={x(estimate.high)} y1={y - 4} y2={y + 4} />
        </>
      ) : null}
      <circle className="interval-point" cx={x(estimate.value)} cy={y} r={3.5} />
    </svg>
  );
}

/** A difference and its interval around zero (`domain` symmetric), the zero line marked. */
export function DiffBar({
  diff,
  low,
  high,
  domain,
  tone,
  label,
}: {
  diff: number | null;
  low: number | null;
  high: number | null;
  domain: number;
  tone: string;
  label: string;
}) {
  if (diff === null) return null;
  const d = domain || 1;
  const x = (v: number) => 4 + ((Math.min(Math.max(v, -d), d) + d) / (2 * d)) * (W - 8);
  const y = H / 2;
  return (
    <svg className={`interval-bar ${tone}`} width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      <line className="interval-zero" x1={x(0)} x2={x(0)} y1={1} y2={H - 1} />
      {low !== null && high !== null ? <line className="interval-range" x1={x(low)} x2={x(high)} y1={y} y2={y} /> : null}
      <circle className="interval-point" cx={x(diff)} cy={y} r={3.5} />
    </svg>
  );
}
