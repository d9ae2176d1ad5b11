import type { EvaluationEstimate } from "@ardea/api/types";

const W = 140;
const H = 16;

/**
 * An agreement estimate and its interval as a whisker on a fixed scale (`domain`). SVG
 * attributes only (the server's CSP allows no inline styles).
 */
export function EstimateBar({ estimate, domain, label }: { estimate: EvaluationEstimate; domain: [number, number]; label: string }) {
  if (estimate.value === null) return null;
  const [lo, hi] = domain;
  const x = (v: number) => 4 + ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo || 1)) * (W - 8);
  const y = H / 2;
  return (
    <svg className="estimate-bar" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      <line className="estimate-axis" x1={4} x2={W - 4} y1={y} y2={y} />
      {estimate.low !== null && estimate.high !== null ? (
        <line className="estimate-range" x1={x(estimate.low)} x2={x(estimate.high)} y1={y} y2={y} />
      ) : null}
      <circle className="estimate-point" cx={x(estimate.value)} cy={y} r={3.5} />
    </svg>
  );
}
