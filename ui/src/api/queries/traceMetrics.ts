// Ardea's server-side trace aggregates for the experiment overview (no traces shipped).
import { useQuery } from "@tanstack/react-query";
import { apiGet } from "../client";

/** One time bucket (or the whole range, as `totals`). */
export interface TraceMetricsBucket {
  start_ms: number;
  trace_count: number;
  error_count: number;
  latency_p50_ms: number | null;
  latency_p90_ms: number | null;
  latency_p99_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  cost: number;
}

/** One feedback name over the range; `pass_rates` has one entry per bucket. */
export interface AssessmentMetrics {
  name: string;
  count: number;
  pass_count: number;
  verdict_count: number;
  pass_rate: number | null;
  numeric_count: number;
  numeric_mean: number | null;
  pass_rates: (number | null)[];
}

export interface TraceMetrics {
  start_ms: number;
  end_ms: number;
  bucket_ms: number;
  buckets: TraceMetricsBucket[];
  totals: TraceMetricsBucket;
  assessments: AssessmentMetrics[];
}

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
