// Ardea's server-side trace aggregates for the experiment overview (no traces shipped).
import { useQuery } from "@tanstack/react-query";
import { apiGet } from "../client";
import type { TraceMetrics } from "../types";

/** `GET /3.0/ardea/experiments/<id>/trace-metrics` for `[startMs, endMs)` in `buckets` slices. */
export function useTraceMetrics(experimentId: string, startMs: number, endMs: number, buckets: number) {
  return useQuery({
    queryKey: ["trace-metrics", experimentId, startMs, endMs, buckets],
    queryFn: ({ signal }) =>
      apiGet<TraceMetrics>(
        `/3.0/ardea/experiments/${encodeURIComponent(experimentId)}/trace-metrics`,
        { start_ms: startMs, end_ms: endMs, buckets },
        signal,
      ),
    placeholderData: (previous) => previous,
    retry: (count, error) => !("status" in error && (error.status === 400 || error.status === 404)) && count < 2,
  });
}
