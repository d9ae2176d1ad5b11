// TanStack Query hooks for runs and metric histories.
import { queryOptions, useInfiniteQuery, useQueries, useQuery } from "@tanstack/react-query";
import { apiGet, apiPost } from "../client";
import type { Answer, Metric, MetricHistoryResponse, SearchRunsResponse } from "../types";

export const RUNS_PAGE_SIZE = 1000;

export interface RunsQuery {
  experimentId: string;
  filter: string;
  orderBy: string[];
}

/** Runs of one experiment, fetched in pages of 1000 (page tokens) as the table needs them. */
export function useRunsPages(q: RunsQuery) {
  return useInfiniteQuery({
    queryKey: ["runs", q.experimentId, q.filter, q.orderBy],
    initialPageParam: "",
    queryFn: ({ pageParam, signal }) =>
      apiPost<SearchRunsResponse>(
        "/2.0/mlflow/runs/search",
        {
          experiment_ids: [q.experimentId],
          filter: q.filter,
          order_by: q.orderBy,
          max_results: RUNS_PAGE_SIZE,
          run_view_type: "ACTIVE_ONLY",
          ...(pageParam ? { page_token: pageParam } : {}),
        },
        signal,
      ),
    getNextPageParam: (last) => last.next_page_token || undefined,
    retry: (count, error) => !("status" in error && error.status === 400) && count < 2,
  });
}

/** Query options for one run by id (for `useQuery` / `useQueries`). */
export function runQuery(runId: string) {
  return queryOptions({
    queryKey: ["run", runId],
    queryFn: ({ signal }) =>
      apiGet<Answer<"get_run_get">>("/2.0/mlflow/runs/get", { run_id: runId }, signal).then((r) => r.run),
  });
}

/** One run by id. */
export function useRun(runId: string) {
  return useQuery(runQuery(runId));
}

/** Several runs by id, each its own query (shared cache with `useRun`). */
export function useRunsById(runIds: string[]) {
  return useQueries({ queries: runIds.map(runQuery) });
}

/** Query options for the full history of one metric of one run (every page). */
export function metricHistoryQuery(runId: string, key: string) {
  return queryOptions({
    queryKey: ["metric-history", runId, key],
    enabled: key !== "",
    queryFn: async ({ signal }) => {
      const out: Metric[] = [];
      let token: string | undefined;
      do {
        const page = await apiGet<MetricHistoryResponse>(
          "/2.0/mlflow/metrics/get-history",
          // Big pages: the chart needs every point, and each round trip of a 100k-point
          // series in 25k pages cost ~100 ms (Ardea's server takes any page size).
          { run_id: runId, metric_key: key, max_results: 200000, page_token: token },
          signal,
        );
        out.push(...page.metrics);
        token = page.next_page_token;
      } while (token);
      return out;
    },
  });
}

/** The full history of one metric of one run. */
export function useMetricHistory(runId: string, key: string) {
  return useQuery(metricHistoryQuery(runId, key));
}

/** The full histories of one metric of several runs. */
export function useMetricHistories(runIds: string[], key: string) {
  return useQueries({ queries: runIds.map((id) => metricHistoryQuery(id, key)) });
}

/** A search-grammar string literal (single quotes, inner ones escaped). */
function literal(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/**
 * The names of runs of one experiment by id, in one search (`attributes.run_id IN (...)`, at most
 * 200 ids): for lists that link many runs without fetching each.
 */
export function useRunNames(experimentId: string, runIds: readonly string[]) {
  const ids = [...new Set(runIds)].sort().slice(0, 200);
  return useQuery({
    queryKey: ["run-names", experimentId, ids],
    enabled: ids.length > 0,
    queryFn: ({ signal }) =>
      apiPost<SearchRunsResponse>(
        "/2.0/mlflow/runs/search",
        {
          experiment_ids: [experimentId],
          filter: `attributes.run_id IN (${ids.map(literal).join(", ")})`,
          max_results: ids.length,
          run_view_type: "ALL",
        },
        signal,
      ).then((r) => new Map((r.runs ?? []).map((run) => [run.info.run_id, run.info.run_name || run.info.run_id]))),
  });
}

/** Points per run the chart view asks for (the server samples each run's history to this many). */
export const BULK_POINTS_PER_RUN = 500;

/** One metric's history of several runs in one request, sampled per run (each point with its run_id). */
export function useMetricBulk(runIds: readonly string[], key: string) {
  return useQuery({
    queryKey: ["metric-bulk", key, runIds],
    enabled: runIds.length > 0 && key !== "",
    queryFn: ({ signal }) =>
      apiGet<Answer<"get_metric_history_bulk_interval_get">>(
        "/2.0/mlflow/metrics/get-history-bulk-interval",
        { run_ids: [...runIds], metric_key: key, max_results: BULK_POINTS_PER_RUN },
        signal,
      ).then((r) => r.metrics),
  });
}
