// TanStack Query hooks for the judge builder: the models the server can call, the preview of
// a draft judge, and the experiment's scorer registry (MLflow's `/3.0/mlflow/scorers/*`).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiGet, apiPost } from "../client";
import type { Answer, JudgePreview, JudgeModels, OnlineScoringConfig, RegisteredScorer, RequestBody } from "../types";

const noRetryOn4xx = (count: number, error: Error) =>
  !("status" in error && typeof error.status === "number" && error.status >= 400 && error.status < 500) && count < 2;

/** The providers the server holds credentials for, and its default judge model. */
export function useJudgeModels() {
  return useQuery({
    queryKey: ["judge-models"],
    queryFn: ({ signal }) => apiGet<JudgeModels>("/3.0/ardea/judges/models", {}, signal),
    retry: noRetryOn4xx,
    staleTime: 60_000,
  });
}

/** What the preview route takes. */
export type JudgePreviewRequest = RequestBody<"preview_draft_judge_post">;

/** Run a draft judge on chosen traces (nothing is stored). */
export function usePreviewJudge() {
  return useMutation({
    mutationFn: (body: JudgePreviewRequest) => apiPost<JudgePreview>("/3.0/ardea/judges/preview", body),
  });
}

/** The experiment's registered scorers, the latest version of each name. */
export function useScorers(experimentId: string) {
  return useQuery({
    queryKey: ["scorers", experimentId],
    queryFn: ({ signal }) =>
      apiGet<Answer<"list_scorers_get">>("/3.0/mlflow/scorers/list", { experiment_id: experimentId }, signal).then(
        (r) => (r.scorers ?? []) as RegisteredScorer[],
      ),
    retry: noRetryOn4xx,
  });
}

/** Every version of one registered scorer (`enabled` false: not asked yet). */
export function useScorerVersions(experimentId: string, name: string, enabled = true) {
  return useQuery({
    queryKey: ["scorer-versions", experimentId, name],
    queryFn: ({ signal }) =>
      apiGet<Answer<"list_scorer_versions_get">>("/3.0/mlflow/scorers/versions", { experiment_id: experimentId, name }, signal).then(
        (r) => ((r.scorers ?? []) as RegisteredScorer[]).sort((a, b) => b.scorer_version - a.scorer_version),
      ),
    retry: noRetryOn4xx,
    enabled: enabled && name !== "",
  });
}

/** One version of a registered scorer (`version` 0: the latest). */
export function useScorer(experimentId: string, name: string, version: number) {
  return useQuery({
    queryKey: ["scorer", experimentId, name, version],
    queryFn: ({ signal }) =>
      apiGet<Answer<"get_scorer_get">>(
        "/3.0/mlflow/scorers/get",
        { experiment_id: experimentId, name, ...(version > 0 ? { version: String(version) } : {}) },
        signal,
      ).then((r) => r.scorer as RegisteredScorer),
    retry: noRetryOn4xx,
    enabled: name !== "",
  });
}

/** The online scoring configs of some scorers (by scorer id; those without one are absent). */
export function useOnlineConfigs(scorerIds: readonly string[]) {
  return useQuery({
    queryKey: ["scorer-online-configs", [...scorerIds].sort()],
    queryFn: ({ signal }) =>
      apiGet<Answer<"get_online_scoring_configs_get">>("/3.0/mlflow/scorers/online-configs", { scorer_ids: [...scorerIds] }, signal).then(
        (r) => (r.configs ?? []) as OnlineScoringConfig[],
      ),
    retry: noRetryOn4xx,
    enabled: scorerIds.length > 0,
  });
}

/** Register a scorer (a new version when the name exists), as `scorer.register()` does. */
export function useRegisterScorer(experimentId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (v: { name: string; serialized_scorer: string }) =>
      apiPost<Answer<"register_scorer_post">>("/3.0/mlflow/scorers/register", { experiment_id: experimentId, ...v }),
    onSuccess: (_d, v) => {
      void client.invalidateQueries({ queryKey: ["scorers", experimentId] });
      void client.invalidateQueries({ queryKey: ["scorer-versions", experimentId, v.name] });
      void client.invalidateQueries({ queryKey: ["scorer", experimentId, v.name] });
    },
  });
}

/** How far online scoring got in an experiment: its work rows by state, and this server's backlog. */
export function useOnlineScoringStatus(experimentId: string) {
  return useQuery({
    queryKey: ["online-scoring-status", experimentId],
    queryFn: ({ signal }) =>
      apiGet<Answer<"online_scoring_status_get">>("/3.0/ardea/online-scoring/status", { experiment_id: experimentId }, signal),
    retry: noRetryOn4xx,
    refetchInterval: 5_000,
    enabled: experimentId !== "",
  });
}
