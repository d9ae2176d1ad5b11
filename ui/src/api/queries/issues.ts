// TanStack Query hooks for issues: MLflow's `/3.0/mlflow/issues` (search, update) and Ardea's
// `/3.0/ardea/issues/*` (proposals from failing judge verdicts, accepting one, an issue's traces).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiGet, apiPost, apiSendJson } from "../client";
import type { Answer, Issue, IssueProposal, RequestBody } from "../types";

const M = "/3.0/mlflow/issues";
const A = "/3.0/ardea/issues";

const noRetryOn4xx = (count: number, error: Error) =>
  !("status" in error && typeof error.status === "number" && error.status >= 400 && error.status < 500) && count < 2;

/** The issues of an experiment with their trace counts (newest first; `statuses` filters). */
export function useIssues(experimentId: string, statuses: string[]) {
  return useQuery({
    queryKey: ["issues", experimentId, statuses],
    queryFn: ({ signal }) =>
      apiPost<Answer<"search_issues_post">>(
        `${M}/search`,
        { experiment_id: experimentId, statuses, include_trace_count: true, max_results: 1000 },
        signal,
      ).then((r) => (r.issues ?? []) as Issue[]),
    retry: noRetryOn4xx,
  });
}

/** The traces an issue links (fetched when `enabled`). */
export function useIssueTraces(issueId: string, enabled: boolean) {
  return useQuery({
    queryKey: ["issue-traces", issueId],
    queryFn: ({ signal }) =>
      apiGet<Answer<"issue_traces_get">>(`${A}/traces`, { issue_id: issueId }, signal).then((r) => r.trace_ids),
    enabled,
    retry: noRetryOn4xx,
  });
}

/** Cluster the failing judge verdicts of an experiment into proposals (on request). */
export function useProposeIssues() {
  return useMutation({
    mutationFn: (body: RequestBody<"propose_post">) =>
      apiPost<Answer<"propose_post">>(`${A}/propose`, body).then((r) => ({
        ...r,
        proposals: r.proposals as IssueProposal[],
      })),
  });
}

/** Accept a proposal: a new issue linked to its traces. */
export function useAcceptProposal() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: RequestBody<"accept_post">) => apiPost<Answer<"accept_post">>(`${A}/accept`, body),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["issues"] }),
  });
}

/** Change an issue's status (pending, resolved, rejected). */
export function useSetIssueStatus() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ issueId, status }: { issueId: string; status: string }) =>
      apiSendJson<Answer<"update_issue_patch">>("PATCH", `${M}/${encodeURIComponent(issueId)}`, { issue_id: issueId, status }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["issues"] }),
  });
}
