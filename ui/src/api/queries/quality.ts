// Quality over time: each judge's pass rate per bucket with Wilson intervals (Ardea's
// `/3.0/ardea/experiments/<id>/quality`), optionally grouped by prompt, model or a tag.
import { useQuery } from "@tanstack/react-query";
import { apiGet } from "../client";
import type { QualityResponse } from "../types";

/** `GET /3.0/ardea/experiments/<id>/quality` for `[startMs, endMs)` in `buckets` slices. */
export function useQuality(experimentId: string, startMs: number, endMs: number, buckets: number, groupBy: string) {
  return useQuery({
    queryKey: ["quality", experimentId, startMs, endMs, buckets, groupBy],
    queryFn: ({ signal }) =>
      apiGet<QualityResponse>(
        `/3.0/ardea/experiments/${encodeURIComponent(experimentId)}/quality`,
        { start_ms: startMs, end_ms: endMs, buckets, ...(groupBy ? { group_by: groupBy } : {}) },
        signal,
      ),
    placeholderData: (previous) => previous,
    retry: (count, error) => !("status" in error && (error.status === 400 || error.status === 404)) && count < 2,
  });
}
