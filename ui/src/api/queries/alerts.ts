// TanStack Query hooks for alert rules (Ardea's `/3.0/ardea/alerts/*` routes): an
// experiment's rules with their state, their events, and the writes (create, update, delete).
// Rules are polled, so a rule that starts firing shows without a reload.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiGet, apiPost } from "../client";
import type { AlertEvent, AlertRule, Answer, RequestBody } from "../types";

const A = "/3.0/ardea/alerts";
/** How often rules and events are re-read (the server evaluates them on its own timer). */
export const ALERTS_POLL_MS = 5_000;

const noRetryOn4xx = (count: number, error: Error) =>
  !("status" in error && typeof error.status === "number" && error.status >= 400 && error.status < 500) && count < 2;

/** The rules of an experiment, polled. */
export function useAlertRules(experimentId: string, pollMs: number = ALERTS_POLL_MS) {
  return useQuery({
    queryKey: ["alert-rules", experimentId],
    queryFn: ({ signal }) =>
      apiGet<Answer<"list_rules_get">>(`${A}/rules/list`, { experiment_id: experimentId }, signal).then(
        (r) => (r.rules ?? []) as AlertRule[],
      ),
    refetchInterval: pollMs,
    retry: noRetryOn4xx,
    enabled: experimentId !== "",
  });
}

/** The newest events of an experiment (up to 200), polled. */
export function useAlertEvents(experimentId: string) {
  return useQuery({
    queryKey: ["alert-events", experimentId],
    queryFn: ({ signal }) =>
      apiGet<Answer<"list_events_get">>(`${A}/events/list`, { experiment_id: experimentId, max_results: "200" }, signal).then(
        (r) => (r.events ?? []) as AlertEvent[],
      ),
    refetchInterval: ALERTS_POLL_MS,
    retry: noRetryOn4xx,
  });
}

function useInvalidateRules() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: ["alert-rules"] });
    void client.invalidateQueries({ queryKey: ["alert-events"] });
  };
}

/** Create a rule. */
export function useCreateAlertRule() {
  const invalidate = useInvalidateRules();
  return useMutation({
    mutationFn: (body: RequestBody<"create_rule_post">) => apiPost<Answer<"create_rule_post">>(`${A}/rules/create`, body),
    onSuccess: invalidate,
  });
}

/** Change a rule's settings. */
export function useUpdateAlertRule() {
  const invalidate = useInvalidateRules();
  return useMutation({
    mutationFn: (body: RequestBody<"update_rule_post">) => apiPost<Answer<"update_rule_post">>(`${A}/rules/update`, body),
    onSuccess: invalidate,
  });
}

/** Delete a rule (and its events). */
export function useDeleteAlertRule() {
  const invalidate = useInvalidateRules();
  return useMutation({
    mutationFn: (ruleId: string) => apiPost(`${A}/rules/delete`, { rule_id: ruleId }),
    onSuccess: invalidate,
  });
}
