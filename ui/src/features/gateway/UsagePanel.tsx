import { lazy, Suspense } from "react";
import { useGatewayUsage, type UsageQuery } from "@ardea/api/queries/gateway";
import type { GatewayUsageMeasures } from "@ardea/api/types";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatValue } from "@ardea/components/charts/chartSpec";
import { formatUsd, groupLabel, usageCharts } from "./usageSeries";

// The canvas charts load with the first page that shows them.
const TimeChart = lazy(() => import("@ardea/components/charts/TimeChart"));

const GROUP_TITLE = { endpoint: "Endpoint", key: "Key", user: "User", model: "Model" } as const;

function Cells({ m }: { m: GatewayUsageMeasures }) {
  return (
    <>
      <td data-col="requests">{m.requests}</td>
      <td data-col="errors">{m.errors}</td>
      <td data-col="tokens">
        {formatValue(m.input_tokens, "tokens")} / {formatValue(m.output_tokens, "tokens")}
      </td>
      <td data-col="cost">{formatUsd(m.cost_usd, m.unpriced)}</td>
      <td data-col="latency">{m.latency_ms_avg === null ? "—" : formatValue(m.latency_ms_avg, "ms")}</td>
      <td data-col="cache">{m.cache_hits}</td>
      <td data-col="fallbacks">{m.fallbacks}</td>
    </>
  );
}

/**
 * Usage over a range from the rollup: requests, tokens and cost charts (one series per
 * group) and a totals table. `names` maps a group (a key id) to what to show for it.
 */
export function UsagePanel({
  query,
  names,
  refetchInterval,
}: {
  query: UsageQuery;
  names?: Record<string, string>;
  refetchInterval?: number;
}) {
  const usage = useGatewayUsage(query, refetchInterval);
  if (usage.error) return <ErrorBanner error={usage.error} prefix="Usage" />;
  if (!usage.data) return <p className="muted">Loading usage…</p>;
  const u = usage.data;
  const label = (g: string) => names?.[g] ?? groupLabel(g);
  return (
    <section className="gateway-usage" aria-label="Usage">
      <div className="overview-grid">
        {usageCharts(u).map((spec) => (
          <figure key={spec.id} className="overview-card">
            <figcaption>{spec.title}</figcaption>
            <Suspense fallback={<div className="overview-chart" />}>
              <TimeChart spec={{ ...spec, series: spec.series.map((s) => ({ ...s, label: label(s.label === "(none)" ? "" : s.label) })) }} />
            </Suspense>
          </figure>
        ))}
      </div>
      <table className="plain gateway-totals" aria-label="Usage totals">
        <thead>
          <tr>
            <th>{GROUP_TITLE[query.groupBy]}</th>
            <th>Requests</th>
            <th>Errors</th>
            <th>Tokens in / out</th>
            <th>Cost</th>
            <th>Mean latency</th>
            <th>Cache hits</th>
            <th>Fallbacks</th>
          </tr>
        </thead>
        <tbody>
          {u.groups.map((g) => (
            <tr key={g.group} data-group={g.group}>
              <td>{label(g.group)}</td>
              <Cells m={g.totals} />
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-group="*total*">
            <th scope="row">Total</th>
            <Cells m={u.totals} />
          </tr>
        </tfoot>
      </table>
      {u.groups.length === 0 ? <p className="muted">No requests in this range.</p> : null}
    </section>
  );
}
