// TanStack Query hooks for logged evaluations: the experiment's evaluation runs (MLflow's
// `mlflow.runType = genai_evaluate` tag) and Ardea's summary, results and compare reads.
import { useQueries, useQuery } from "@tanstack/react-query";
import { apiGet, apiPost } from "../client";
import type { EvaluationComparison, EvaluationResults, EvaluationSummary, SearchRunsResponse } from "../types";

/** The filter selecting evaluation runs (as MLflow's evaluate tags them). */
export const EVALUATION_RUNS_FILTER = "tags.`mlflow.runType` = 'genai_evaluate'";

const noRetryOn4xx = (count: number, error: Error) =>
  !("status" in error && typeof error.status === "number" && error.status >= 400 && error.status < 500) && count < 2;

/** The evaluation runs of one experiment, newest first (up to 1000). */
export function useEvaluationRuns(experimentId: string) {
  return useQuery({
    queryKey: ["evaluation-runs", experimentId],
    queryFn: ({ signal }) =>
      apiPost<SearchRunsResponse>(
        "/2.0/mlflow/runs/search",
        {
          experiment_ids: [experimentId],
          filter: EVALUATION_RUNS_FILTER,
          order_by: ["attributes.start_time DESC"],
          max_results: 1000,
          run_view_type: "ACTIVE_ONLY",
        },
        signal,
      ).then((r) => r.runs ?? []),
    retry: noRetryOn4xx,
  });
}

/** Numeric aggregates asked for when many evaluations are listed (each costs a bootstrap). */
export const LIST_STATISTICS = ["mean"];

function summaryQuery(runId: string, statistics: string[] = []) {
  return {
    queryKey: ["evaluation-summary", runId, statistics],
    queryFn: ({ signal }: { signal: AbortSignal }) =>
      apiGet<EvaluationSummary>(
        "/3.0/ardea/evaluations/summary",
        { run_id: runId, ...(statistics.length ? { statistics } : {}) },
        signal,
      ),
    retry: noRetryOn4xx,
    staleTime: 30_000,
  };
}

/** Per-scorer aggregates with intervals, for one evaluation run. */
export function useEvaluationSummary(runId: string) {
  return useQuery(summaryQuery(runId));
}

/** The summaries of several evaluation runs (one query each, cached per run; means only). */
export function useEvaluationSummaries(runIds: readonly string[]) {
  return useQueries({ queries: runIds.map((id) => summaryQuery(id, LIST_STATISTICS)) });
}

/** One evaluation run's rows with every scorer's verdict and rationale. */
export function useEvaluationResults(runId: string) {
  return useQuery({
    queryKey: ["evaluation-results", runId],
    queryFn: ({ signal }) => apiGet<EvaluationResults>("/3.0/ardea/evaluations/results", { run_id: runId }, signal),
    retry: noRetryOn4xx,
    enabled: runId !== "",
  });
}

/** Baseline vs candidate, row by row, per scorer (corrected p-values, verdicts, changed rows). */
export function useEvaluationComparison(baselineRunId: string, candidateRunId: string, correction = "holm") {
  return useQuery({
    queryKey: ["evaluation-compare", baselineRunId, candidateRunId, correction],
    queryFn: ({ signal }) =>
      apiGet<EvaluationComparison>(
        "/3.0/ardea/evaluations/compare",
        { baseline_run_id: baselineRunId, candidate_run_id: candidateRunId, correction },
        signal,
      ),
    retry: noRetryOn4xx,
    enabled: baselineRunId !== "" && candidateRunId !== "",
  });
}
