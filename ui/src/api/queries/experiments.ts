// TanStack Query hooks for experiments (MLflow experiments/* RPCs).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiGet, apiPost } from "../client";
import type { Answer, Experiment, SearchExperimentsResponse, ViewType } from "../types";

/** The server-side filter for a plain-text name search ("" for none). */
export function nameFilter(text: string): string {
  const t = text.trim();
  if (!t) return "";
  if (!t.includes("'")) return `name ILIKE '%${t}%'`;
  if (!t.includes('"')) return `name ILIKE "%${t}%"`;
  return "";
}

/** All experiments matching `search` (a name substring) in the given view. */
export function useExperiments(search: string, viewType: ViewType) {
  return useQuery({
    queryKey: ["experiments", search, viewType],
    queryFn: async ({ signal }) => {
      const out: Experiment[] = [];
      let token: string | undefined;
      const filter = nameFilter(search);
      do {
        const page = await apiPost<SearchExperimentsResponse>(
          "/2.0/mlflow/experiments/search",
          {
            max_results: 1000,
            view_type: viewType,
            order_by: ["last_update_time DESC"],
            ...(filter ? { filter } : {}),
            ...(token ? { page_token: token } : {}),
          },
          signal,
        );
        out.push(...page.experiments);
        token = page.next_page_token;
      } while (token);
      // A search text with both quote kinds cannot go to the server: match it here.
      return filter || !search.trim() ? out : out.filter((e) => e.name.includes(search.trim()));
    },
  });
}

/** One experiment by id. */
export function useExperiment(experimentId: string) {
  return useQuery({
    queryKey: ["experiment", experimentId],
    queryFn: ({ signal }) =>
      apiGet<Answer<"get_experiment_get">>(
        "/2.0/mlflow/experiments/get",
        { experiment_id: experimentId },
        signal,
      ).then((r) => r.experiment),
  });
}

function useExperimentMutation<V, R>(call: (vars: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["experiments"] });
      void client.invalidateQueries({ queryKey: ["experiment"] });
    },
  });
}

/** Create an experiment by name; resolves to its id. */
export function useCreateExperiment() {
  return useExperimentMutation((name: string) =>
    apiPost<Answer<"create_experiment_post">>("/2.0/mlflow/experiments/create", { name }),
  );
}

/** Rename an experiment. */
export function useRenameExperiment() {
  return useExperimentMutation((v: { id: string; name: string }) =>
    apiPost("/2.0/mlflow/experiments/update", { experiment_id: v.id, new_name: v.name }),
  );
}

/** Soft-delete an experiment. */
export function useDeleteExperiment() {
  return useExperimentMutation((id: string) =>
    apiPost("/2.0/mlflow/experiments/delete", { experiment_id: id }),
  );
}

/** Restore a deleted experiment. */
export function useRestoreExperiment() {
  return useExperimentMutation((id: string) =>
    apiPost("/2.0/mlflow/experiments/restore", { experiment_id: id }),
  );
}
