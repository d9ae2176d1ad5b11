// TanStack Query hooks for the model registry (MLflow registered-models/* and model-versions/*).
// Prompts are registered models tagged `mlflow.prompt.is_prompt = 'true'`.
import { useRef } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiGet, apiPost, apiSend } from "../client";
import type { Answer, ModelVersion, RequestBody } from "../types";

export const PROMPT_TAG = "mlflow.prompt.is_prompt";
export const PROMPT_FILTER = `tags.\`${PROMPT_TAG}\` = 'true'`;
export const MODELS_PAGE_SIZE = 50;

/** A single-quoted (or double-quoted) filter literal for `value`, or null if it has both quotes. */
export function filterLiteral(value: string): string | null {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  return null;
}

/** The server filter for registered models (or prompts) whose name contains `search`. */
export function modelsFilter(search: string, prompts: boolean): string {
  const parts: string[] = [];
  const t = search.trim();
  if (t) {
    const lit = filterLiteral(`%${t}%`);
    if (lit) parts.push(`name ILIKE ${lit}`);
  }
  if (prompts) parts.push(PROMPT_FILTER);
  return parts.join(" AND ");
}

/** One page of registered models (or prompts) matching a name search; `token` pages on. */
export function useRegisteredModels(search: string, prompts: boolean, token: string) {
  return useQuery({
    queryKey: ["registered-models", search, prompts, token],
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) =>
      apiGet<Answer<"search_registered_models_get">>(
        "/2.0/mlflow/registered-models/search",
        {
          filter: modelsFilter(search, prompts) || undefined,
          max_results: MODELS_PAGE_SIZE,
          order_by: ["name ASC"],
          page_token: token || undefined,
        },
        signal,
      ),
  });
}

/** One registered model (or prompt) by name. */
export function useRegisteredModel(name: string) {
  return useQuery({
    queryKey: ["registered-model", name],
    queryFn: ({ signal }) =>
      apiGet<Answer<"get_registered_model_get">>("/2.0/mlflow/registered-models/get", { name }, signal).then(
        (r) => r.registered_model,
      ),
  });
}

/** Every version of one model (or prompt), newest first. */
export function useModelVersions(name: string, prompts: boolean) {
  return useQuery({
    queryKey: ["model-versions", name, prompts],
    queryFn: async ({ signal }) => {
      const lit = filterLiteral(name);
      if (!lit) return [];
      const filter = prompts ? `name = ${lit} AND ${PROMPT_FILTER}` : `name = ${lit}`;
      const out: ModelVersion[] = [];
      let token: string | undefined;
      do {
        const page = await apiGet<Answer<"search_model_versions_get">>(
          "/2.0/mlflow/model-versions/search",
          { filter, max_results: 1000, order_by: ["version_number DESC"], page_token: token },
          signal,
        );
        out.push(...page.model_versions);
        token = page.next_page_token;
      } while (token);
      return out;
    },
  });
}

// -- edits -------------------------------------------------------------------------------------

/** A `model-versions/create` body (prompt versions: source "dummy-source" and prompt tags). */
export type CreateVersionRequest = RequestBody<"create_model_version_post">;

/** A brand-new prompt: its `registered-models/create` body, then its first version. */
export interface CreatePromptRequest {
  model: RequestBody<"create_registered_model_post">;
  version: CreateVersionRequest;
}

function useRefreshModel(name: string) {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: ["registered-model", name] }),
      client.invalidateQueries({ queryKey: ["model-versions", name] }),
      client.invalidateQueries({ queryKey: ["registered-models"] }),
    ]);
}

/** Create a version of model (or prompt) `name`; answers the new version, refreshes the lists. */
export function useCreateVersion(name: string) {
  const refresh = useRefreshModel(name);
  return useMutation({
    mutationFn: (body: CreateVersionRequest) =>
      apiPost<Answer<"create_model_version_post">>("/2.0/mlflow/model-versions/create", body).then((r) => r.model_version),
    onSuccess: refresh,
  });
}

/**
 * Create a prompt (registered model) and then its first version; answers that version. When the
 * version fails after the prompt was made, a retry with the same name only creates the version.
 */
export function useCreatePrompt() {
  const client = useQueryClient();
  const made = useRef(new Set<string>());
  return useMutation({
    mutationFn: async (req: CreatePromptRequest) => {
      if (!made.current.has(req.model.name)) {
        await apiPost<unknown>("/2.0/mlflow/registered-models/create", req.model);
        made.current.add(req.model.name);
      }
      return apiPost<Answer<"create_model_version_post">>("/2.0/mlflow/model-versions/create", req.version).then((r) => r.model_version);
    },
    onSettled: () => client.invalidateQueries({ queryKey: ["registered-models"] }),
  });
}

/** Point alias `alias` of model `name` at `version` (moving it when set elsewhere). */
export function useSetAlias(name: string) {
  const refresh = useRefreshModel(name);
  return useMutation({
    mutationFn: ({ alias, version }: Omit<RequestBody<"set_registered_model_alias_post">, "name">) =>
      apiPost<unknown>("/2.0/mlflow/registered-models/alias", { name, alias, version }),
    onSuccess: refresh,
  });
}

/** Delete alias `alias` of model `name`. */
export function useDeleteAlias(name: string) {
  const refresh = useRefreshModel(name);
  return useMutation({
    mutationFn: (alias: string) => apiSend("DELETE", "/2.0/mlflow/registered-models/alias", { name, alias }),
    onSuccess: refresh,
  });
}

/** Save the description (Markdown) of model `name`. */
export function useUpdateModelDescription(name: string) {
  const refresh = useRefreshModel(name);
  return useMutation({
    mutationFn: (description: string) => apiSend("PATCH", "/2.0/mlflow/registered-models/update", { name, description }),
    onSuccess: refresh,
  });
}
