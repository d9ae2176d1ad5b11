import { lazy, Suspense, useMemo, useState } from "react";
import { useQuality } from "@ardea/api/queries/quality";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatValue } from "@ardea/components/charts/chartSpec";
import { GROUP_BY_CHOICES, groupByParam, groupLabel, qualityCharts } from "./qualitySeries";

const TimeChart = lazy(() => import("@ardea/components/charts/TimeChart"));

interface Props {
  experimentId: string;
  startMs: number;
  endMs: number;
  buckets: number;
}

/** Each judge's pass rate over time with its interval band, split by prompt, model or tag. */
export function QualityOverTime({ experimentId, startMs, endMs, buckets }: Props) {
  const [choice, setChoice] = useState("");
  const [tagKey, setTagKey] = useState("");
  const groupBy = groupByParam(choice, tagKey);
  const quality = useQuality(experimentId, startMs, endMs, buckets, groupBy);
  const charts = useMemo(() => (quality.data ? qualityCharts(quality.data) : []), [quality.data]);
  if (quality.data && quality.data.series.length === 0 && !groupBy) return null;
  return (
    <section aria-label="Quality over time" className="quality">
      <h2>Quality over time</h2>
      <div className="toolbar">
        <label>
          Group by{" "}
          <select aria-label="Group by" value={choice} onChange={(e) => setChoice(e.target.value)}>
            {GROUP_BY_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        {choice === "tag" ? (
          <label>
            Tag key <input aria-label="Tag key" value={tagKey} onChange={(e) => setTagKey(e.target.value)} placeholder="e.g. env" />
          </label>
        ) : null}
        <span className="muted small">Pass rate of each judge's pass/fail feedback; bands: Wilson interval.</span>
      </div>
      <ErrorBanner error={quality.error} />
      <div className="overview-grid">
        {charts.map((spec) => (
          <figure key={spec.id} className="overview-card" aria-label={spec.title}>
            <figcaption>{spec.title}</figcaption>
            <Suspense fallback={<p className="muted">Loading chart…</p>}>
              <TimeChart spec={spec} />
            </Suspense>
          </figure>
        ))}
      </div>
      {quality.data && quality.data.series.length ? (
        <table className="plain" aria-label="Pass rate by judge">
          <thead>
            <tr>
              <th>Judge</th>
              <th>Group</th>
              <th>Pass rate</th>
              <th>Interval</th>
              <th>Verdicts</th>
            </tr>
          </thead>
          <tbody>
            {quality.data.series.map((s) => (
              <tr key={`${s.judge}-${s.group ?? ""}`}>
                <td>{s.judge}</td>
                <td>{groupBy ? groupLabel(s.group, groupBy) : "–"}</td>
                <td>{formatValue(s.overall.rate, "ratio") || "–"}</td>
                <td>
                  {s.overall.low === null || s.overall.high === null
                    ? "–"
                    : `${formatValue(s.overall.low, "ratio")} – ${formatValue(s.overall.high, "ratio")}`}
                </td>
                <td>{s.overall.total}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
