// TanStack Query hooks for MLflow 3 logged models (`logged-models/*`) and what links to them:
// the runs that produced or used one, and the registered versions made from it.
import { queryOptions, useInfiniteQuery, useQueries, useQuery } from "@tanstack/react-query";
import { apiGet, apiPost } from "../client";
import type { Answer, LoggedModel, ModelVersion } from "../types";
import { filterLiteral } from "./registry";

/** Logged models per page of the Models tab. */
export const LOGGED_MODELS_PAGE_SIZE = 100;

/** The logged model tag in which the MLflow client records the versions registered from it. */
export const MODEL_VERSIONS_TAG = "mlflow.modelVersions";

/** An experiment's logged models, newest first, a page at a time (active ones only). */
export function useLoggedModels(experimentId: string) {
  return useInfiniteQuery({
    queryKey: ["logged-models", experimentId],
    initialPageParam: "",
    queryFn: ({ pageParam, signal }) =>
      apiPost<Answer<"search_logged_models_post">>(
        "/2.0/mlflow/logged-models/search",
        {
          experiment_ids: [experimentId],
          max_results: LOGGED_MODELS_PAGE_SIZE,
          order_by: [{ field_name: "creation_timestamp", ascending: false }],
          ...(pageParam ? { page_token: pageParam } : {}),
        },
        signal,
      ),
    getNextPageParam: (last) => last.next_page_token || undefined,
  });
}

/** Query options for one logged model by id. */
export function loggedModelQuery(modelId: string) {
  return queryOptions({
    queryKey: ["logged-model", modelId],
    queryFn: ({ signal }) =>
      apiGet<Answer<"get_logged_model_get">>(`/2.0/mlflow/logged-models/${encodeURIComponent(modelId)}`, {}, signal).then(
        (r) => r.model,
      ),
  });
}

/** One logged model by id. */
export function useLoggedModel(modelId: string) {
  return useQuery(loggedModelQuery(modelId));
}

/** Several logged models by id (each its own cached query). */
export function useLoggedModelsById(modelIds: readonly string[]) {
  return useQueries({ queries: modelIds.map(loggedModelQuery) });
}

/** The runs linked to a logged model (source, output and input runs; Ardea's lookup). */
export function useLoggedModelRuns(modelId: string) {
  return useQuery({
    queryKey: ["logged-model-runs", modelId],
    queryFn: ({ signal }) =>
      apiGet<Answer<"get_logged_model_runs_get">>(`/3.0/ardea/logged-models/${encodeURIComponent(modelId)}/runs`, {}, signal).then(
        (r) => r.runs,
      ),
  });
}

/** A registered version named by a logged model (`name`, `version`). */
export interface VersionRef {
  name: string;
  version: string;
}

/** The versions a logged model's `mlflow.modelVersions` tag lists (malformed entries skipped). */
export function taggedVersions(model: LoggedModel | undefined): VersionRef[] {
  const raw = model?.info.tags.find((t) => t.key === MODEL_VERSIONS_TAG)?.value;
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((v: unknown) => {
      if (typeof v !== "object" || v === null) return [];
      const { name, version } = v as Record<string, unknown>;
      return typeof name === "string" && (typeof version === "string" || typeof version === "number")
        ? [{ name, version: String(version) }]
        : [];
    });
  } catch {
    return [];
  }
}

/** The two lists of versions as one, without repeats, in the order seen. */
export function mergeVersions(found: readonly ModelVersion[], tagged: readonly VersionRef[]): VersionRef[] {
  const out = new Map<string, VersionRef>();
  for (const v of [...found.map((m) => ({ name: m.name, version: m.version })), ...tagged]) out.set(`${v.name}\n${v.version}`, v);
  return [...out.values()];
}

/**
 * The registered versions made from a logged model: those whose source is `models:/<id>` (found
 * by the server, `source_path`), plus any the model's `mlflow.modelVersions` tag lists.
 */
export function useVersionsOfLoggedModel(modelId: string, model: LoggedModel | undefined) {
  const lit = filterLiteral(`models:/${modelId}`);
  const found = useQuery({
    queryKey: ["logged-model-versions", modelId],
    enabled: lit !== null,
    queryFn: ({ signal }) =>
      apiGet<Answer<"search_model_versions_get">>(
        "/2.0/mlflow/model-versions/search",
        { filter: `source_path = ${lit}`, max_results: 200 },
        signal,
      ).then((r) => r.model_versions),
  });
  return { versions: mergeVersions(found.data ?? [], taggedVersions(model)), isPending: found.isPending, error: found.error };
}

/** One registered version by name and number. */
export function useModelVersion(name: string, version: string) {
  return useQuery({
    queryKey: ["model-version", name, version],
    queryFn: ({ signal }) =>
      apiGet<Answer<"get_model_version_get">>("/2.0/mlflow/model-versions/get", { name, version }, signal).then(
        (r) => r.model_version,
      ),
  });
}
