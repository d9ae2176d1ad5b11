// TanStack Query hooks for traces (MLflow v3 trace search and info, Ardea's span levels).
import { useInfiniteQuery, useQueries, useQuery } from "@tanstack/react-query";
import { apiGet, apiPost } from "../client";
import type { Answer, SearchTracesResponse, SpanPage } from "../types";

export const TRACES_PAGE_SIZE = 500;
/** Spans per page of one tree level. */
export const SPAN_LEVEL_PAGE_SIZE = 1000;

function searchTraces(experimentId: string, filter: string, orderBy: string[], pageSize: number, token: string, signal: AbortSignal) {
  return apiPost<SearchTracesResponse>(
    "/3.0/mlflow/traces/search",
    {
      locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } }],
      filter,
      max_results: pageSize,
      order_by: orderBy,
      ...(token ? { page_token: token } : {}),
    },
    signal,
  );
}

const noRetryOn400 = (count: number, error: Error) => !("status" in error && error.status === 400) && count < 2;

const NEWEST_FIRST: readonly string[] = ["timestamp_ms DESC"];

/** Traces of one experiment in pages of 500, newest first unless `orderBy` says otherwise. */
export function useTracesPages(experimentId: string, filter: string, orderBy: readonly string[] = NEWEST_FIRST) {
  return useInfiniteQuery({
    queryKey: ["traces", experimentId, filter, orderBy],
    initialPageParam: "",
    queryFn: ({ pageParam, signal }) => searchTraces(experimentId, filter, [...orderBy], TRACES_PAGE_SIZE, pageParam, signal),
    getNextPageParam: (last) => last.next_page_token || undefined,
    retry: noRetryOn400,
  });
}

/** A string as a quoted literal of the trace filter grammar (a doubled quote is a quote). */
export function quoteFilterValue(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Traces that belong to a session, newest first (pages of 500, the server's limit), for the sessions list. */
export function useSessionTracePages(experimentId: string, filter: string) {
  const full = ["session IS NOT NULL", filter.trim()].filter(Boolean).join(" and ");
  return useInfiniteQuery({
    queryKey: ["traces", experimentId, "sessions", filter],
    initialPageParam: "",
    queryFn: ({ pageParam, signal }) => searchTraces(experimentId, full, ["timestamp_ms DESC"], TRACES_PAGE_SIZE, pageParam, signal),
    getNextPageParam: (last) => last.next_page_token || undefined,
    retry: noRetryOn400,
  });
}

/** The traces of one session, oldest first (its turns), in pages of 500. */
export function useSessionTurns(experimentId: string, sessionId: string) {
  return useInfiniteQuery({
    queryKey: ["traces", experimentId, "session", sessionId],
    initialPageParam: "",
    queryFn: ({ pageParam, signal }) =>
      searchTraces(experimentId, `session = ${quoteFilterValue(sessionId)}`, ["timestamp_ms ASC"], TRACES_PAGE_SIZE, pageParam, signal),
    getNextPageParam: (last) => last.next_page_token || undefined,
  });
}

/** One trace's info, with its assessments (`enabled` false: not asked yet). */
export function useTraceInfo(traceId: string, enabled = true) {
  return useQuery({
    queryKey: ["trace", traceId],
    queryFn: ({ signal }) =>
      apiGet<Answer<"get_trace_info_v3_get">>(`/3.0/mlflow/traces/${encodeURIComponent(traceId)}`, {}, signal).then(
        (r) => r.trace.trace_info,
      ),
    enabled,
  });
}

/** One page of a tree level: the root spans (`parent` "") or a span's children (hex id). */
export function spanLevelQuery(traceId: string, parent: string, token: string) {
  return {
    queryKey: ["trace-spans", traceId, parent, token] as const,
    queryFn: ({ signal }: { signal: AbortSignal }) =>
      apiGet<SpanPage>(
        `/3.0/ardea/traces/${encodeURIComponent(traceId)}/spans`,
        {
          ...(parent ? { parent_span_id: parent } : { roots_only: true }),
          max_results: SPAN_LEVEL_PAGE_SIZE,
          page_token: token || undefined,
        },
        signal,
      ),
    staleTime: 5 * 60_000,
  };
}

/** A page of one level: the level's parent ("" for the roots) and the page token it used. */
export interface LevelPageRef {
  parent: string;
  token: string;
}

/** The loaded pages of the given levels, in the order given. */
export function useSpanLevelPages(traceId: string, pages: readonly LevelPageRef[]) {
  return useQueries({
    queries: pages.map((p) => spanLevelQuery(traceId, p.parent, p.token)),
  });
}
