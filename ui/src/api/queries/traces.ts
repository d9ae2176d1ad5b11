// TanStack Query hooks for traces (MLflow v3 trace search, Ardea's span pages).
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { apiGet, apiPost } from "../client";
import type { OtelSpan, TraceInfo } from "../types";

export const TRACES_PAGE_SIZE = 500;
const SPANS_PAGE_SIZE = 10_000;

/** Traces of one experiment, newest first, in pages of 500. */
export function useTracesPages(experimentId: string, filter: string) {
  return useInfiniteQuery({
    queryKey: ["traces", experimentId, filter],
    initialPageParam: "",
    queryFn: ({ pageParam, signal }) =>
      apiPost<{ traces?: TraceInfo[]; next_page_token?: string }>(
        "/3.0/mlflow/traces/search",
        {
          locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } }],
          filter,
          max_results: TRACES_PAGE_SIZE,
          order_by: ["timestamp_ms DESC"],
          ...(pageParam ? { page_token: pageParam } : {}),
        },
        signal,
      ),
    getNextPageParam: (last) => last.next_page_token || undefined,
    retry: (count, error) => !("status" in error && error.status === 400) && count < 2,
  });
}

/** One trace's info. */
export function useTraceInfo(traceId: string) {
  return useQuery({
    queryKey: ["trace", traceId],
    queryFn: ({ signal }) =>
      apiGet<{ trace: { trace_info: TraceInfo } }>(`/3.0/mlflow/traces/${encodeURIComponent(traceId)}`, {}, signal).then(
        (r) => r.trace.trace_info,
      ),
  });
}

/** Every span of one trace, in start-time order (pages of 10,000). */
export function useTraceSpans(traceId: string) {
  return useQuery({
    queryKey: ["trace-spans", traceId],
    queryFn: async ({ signal }) => {
      const out: OtelSpan[] = [];
      let token: string | undefined;
      do {
        const page = await apiGet<{ spans?: OtelSpan[]; next_page_token?: string }>(
          `/3.0/ardea/traces/${encodeURIComponent(traceId)}/spans`,
          { max_results: SPANS_PAGE_SIZE, page_token: token },
          signal,
        );
        out.push(...(page.spans ?? []));
        token = page.next_page_token;
      } while (token);
      return out;
    },
  });
}
