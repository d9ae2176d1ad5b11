import type { EvaluationScorerSummary } from "@ardea/api/types";
import { IntervalBar } from "./IntervalBar";
import { domainOf, formatEstimate, headline } from "./scores";

/** One cell: a scorer's headline (pass rate or mean), its interval as text and as a whisker. */
export function ScorerCell({
  summary,
  domain,
}: {
  summary: EvaluationScorerSummary | undefined;
  domain: [number, number];
}) {
  if (!summary) return <span className="muted">—</span>;
  const est = headline(summary);
  const rate = summary.kind === "binary";
  const text = formatEstimate(est, rate);
  const missing = summary.n_missing > 0 ? ` · ${summary.n_missing} missing` : "";
  return (
    <span className="scorer-cell" title={`${est?.name ?? ""} ${text} (${est?.method ?? ""}, n=${summary.n_valid})`}>
      <span className="scorer-value">{text}</span>
      <IntervalBar estimate={est} domain={domain} label={`${summary.scorer}: ${text}`} />
      <span className="muted small">
        n={summary.n_valid}
        {missing}
      </span>
    </span>
  );
}

/** The domain of each scorer's whisker across several summaries (0-1 for pass rates). */
export function scorerDomains(summaries: readonly (readonly EvaluationScorerSummary[])[]): Map<string, [number, number]> {
  const by = new Map<string, EvaluationScorerSummary[]>();
  for (const list of summaries) for (const s of list) by.set(s.scorer, [...(by.get(s.scorer) ?? []), s]);
  const out = new Map<string, [number, number]>();
  for (const [name, list] of by) out.set(name, domainOf(list.map(headline), list.every((s) => s.kind === "binary")));
  return out;
}

/** One evaluation's scorers, one row each: aggregate, interval, counts, errors. */
export function ScorerSummaryTable({ scorers }: { scorers: readonly EvaluationScorerSummary[] }) {
  const domains = scorerDomains([scorers]);
  if (scorers.length === 0) return <p className="muted">No scorer results on this run's traces.</p>;
  return (
    <table className="plain" aria-label="Scorer summary">
      <thead>
        <tr>
          <th>Scorer</th>
          <th>Kind</th>
          <th>Aggregate (95% interval)</th>
          <th>Rows scored</th>
          <th>Missing</th>
          <th>Errors</th>
        </tr>
      </thead>
      <tbody>
        {scorers.map((s) => (
          <tr key={s.scorer} data-scorer={s.scorer}>
            <td>{s.scorer}</td>
            <td>{s.kind}</td>
            <td>
              <ScorerCell summary={s} domain={domains.get(s.scorer) ?? [0, 1]} />
            </td>
            <td>{s.n_valid}</td>
            <td>{s.n_missing}</td>
            <td>{s.errors}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
