// TanStack Query hooks for the model registry (MLflow registered-models/* and model-versions/*).
// Prompts are registered models tagged `mlflow.prompt.is_prompt = 'true'`.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiGet } from "../client";
import type { KeyValue } from "../types";

export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  user_id?: string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: string;
  status_message?: string;
  tags?: KeyValue[];
  aliases?: string[];
}

export interface RegisteredModel {
  name: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  user_id?: string;
  description?: string;
  latest_versions?: ModelVersion[];
  tags?: KeyValue[];
  aliases?: { alias: string; version: string }[];
}

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
      apiGet<{ registered_models?: RegisteredModel[]; next_page_token?: string }>(
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
      apiGet<{ registered_model: RegisteredModel }>("/2.0/mlflow/registered-models/get", { name }, signal).then(
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
        const page = await apiGet<{ model_versions?: ModelVersion[]; next_page_token?: string }>(
          "/2.0/mlflow/model-versions/search",
          { filter, max_results: 1000, order_by: ["version_number DESC"], page_token: token },
          signal,
        );
        out.push(...(page.model_versions ?? []));
        token = page.next_page_token;
      } while (token);
      return out;
    },
  });
}
