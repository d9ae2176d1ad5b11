// Runs of an experiment ranked by one metric (the overview's "best runs").
import { useQuery } from "@tanstack/react-query";
import { apiPost } from "../client";
import type { Run, SearchRunsResponse } from "../types";

export const BEST_RUNS = 10;

/** The `order_by` clause for a metric key (backquoted, so dots and spaces are fine). */
export function metricOrderBy(key: string, ascending: boolean): string {
  return `metrics.\`${key}\` ${ascending ? "ASC" : "DESC"}`;
}

/** The metric keys of an experiment's latest runs (sorted), and whether it has runs at all. */
export function useRunMetricKeys(experimentId: string) {
  return useQuery({
    queryKey: ["run-metric-keys", experimentId],
    queryFn: async ({ signal }) => {
      const page = await apiPost<SearchRunsResponse>(
        "/2.0/mlflow/runs/search",
        { experiment_ids: [experimentId], max_results: 200, run_view_type: "ACTIVE_ONLY", order_by: ["attributes.start_time DESC"] },
        signal,
      );
      const runs = page.runs;
      const keys = new Set<string>();
      for (const r of runs) for (const m of r.data.metrics) keys.add(m.key);
      return { hasRuns: runs.length > 0, keys: [...keys].sort() };
    },
  });
}

/** The top runs by `metric` (highest first, or lowest with `ascending`); runs without it dropped. */
export function useBestRuns(experimentId: string, metric: string, ascending: boolean) {
  return useQuery({
    queryKey: ["best-runs", experimentId, metric, ascending],
    enabled: metric !== "",
    queryFn: async ({ signal }) => {
      const page = await apiPost<SearchRunsResponse>(
        "/2.0/mlflow/runs/search",
        {
          experiment_ids: [experimentId],
          max_results: 50,
          run_view_type: "ACTIVE_ONLY",
          order_by: [metricOrderBy(metric, ascending)],
        },
        signal,
      );
      return page.runs.filter((r: Run) => r.data.metrics.some((m) => m.key === metric)).slice(0, BEST_RUNS);
    },
  });
}
