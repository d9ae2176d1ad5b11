import { Link, useSearchParams } from "react-router";
import { useBestRuns, useRunMetricKeys } from "@ardea/api/queries/bestRuns";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatMetric, formatTime } from "@ardea/lib/format";
import { runPath } from "@ardea/lib/paths";

/** The top 10 runs by a chosen metric (`?metric=`, `?order=asc` for lowest first). */
export function BestRuns({ experimentId }: { experimentId: string }) {
  const [params, setParams] = useSearchParams();
  const keys = useRunMetricKeys(experimentId);
  const available = keys.data?.keys ?? [];
  const chosen = params.get("metric") ?? "";
  const metric = chosen || available[0] || "";
  const ascending = params.get("order") === "asc";
  const best = useBestRuns(experimentId, metric, ascending);

  const update = (name: string, value: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        next.set(name, value);
        return next;
      },
      { replace: true },
    );

  if (keys.error) return <ErrorBanner error={keys.error} />;
  if (!keys.data?.hasRuns) return null;
  return (
    <section aria-label="Best runs">
      <h2>Best runs</h2>
      {available.length === 0 ? (
        <p className="muted">The runs have no metrics yet.</p>
      ) : (
        <>
          <div className="toolbar">
            <label>
              Metric{" "}
              <select aria-label="Best runs metric" value={metric} onChange={(e) => update("metric", e.target.value)}>
                {[...new Set([metric, ...available])].map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Order{" "}
              <select aria-label="Best runs order" value={ascending ? "asc" : "desc"} onChange={(e) => update("order", e.target.value)}>
                <option value="desc">Highest first</option>
                <option value="asc">Lowest first</option>
              </select>
            </label>
          </div>
          <ErrorBanner error={best.error} />
          <table className="plain" aria-label="Best runs">
            <thead>
              <tr>
                <th>#</th>
                <th>Run</th>
                <th>{metric}</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody>
              {(best.data ?? []).map((r, i) => (
                <tr key={r.info.run_id}>
                  <td>{i + 1}</td>
                  <td>
                    <Link to={runPath(experimentId, r.info.run_id)}>{r.info.run_name || r.info.run_id}</Link>
                  </td>
                  <td>{formatMetric(r.data.metrics?.find((m) => m.key === metric)?.value)}</td>
                  <td>{formatTime(r.info.start_time)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {best.isPending ? <p className="muted">Loading runs…</p> : null}
        </>
      )}
    </section>
  );
}
