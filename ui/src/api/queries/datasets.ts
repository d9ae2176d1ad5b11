// TanStack Query hooks for evaluation datasets: MLflow's dataset RPCs (search, get, records,
// upsert) and Ardea's versions, version records and diff.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiGet, apiPost } from "../client";
import type { Answer, DatasetDiff, DatasetRecord, DatasetVersion, EvaluationDataset } from "../types";

/** Records shown per page. */
export const RECORDS_PAGE_SIZE = 50;

const noRetryOn4xx = (count: number, error: Error) =>
  !("status" in error && typeof error.status === "number" && error.status >= 400 && error.status < 500) && count < 2;

const one = (datasetId: string) => `/3.0/mlflow/datasets/${encodeURIComponent(datasetId)}`;
const ardea = (datasetId: string) => `/3.0/ardea/datasets/${encodeURIComponent(datasetId)}`;

/** Every dataset (or those of one experiment), by name (up to 1000). */
export function useDatasets(experimentId?: string) {
  return useQuery({
    queryKey: ["datasets", experimentId ?? ""],
    queryFn: ({ signal }) =>
      apiPost<Answer<"search_evaluation_datasets_post">>(
        "/3.0/mlflow/datasets/search",
        { ...(experimentId ? { experiment_ids: [experimentId] } : {}), max_results: 1000, order_by: ["name ASC"] },
        signal,
      ).then((r) => r.datasets ?? []),
    retry: noRetryOn4xx,
  });
}

/** One dataset. */
export function useDataset(datasetId: string) {
  return useQuery({
    queryKey: ["dataset", datasetId],
    queryFn: ({ signal }) => apiGet<Answer<"get_dataset_get">>(one(datasetId), {}, signal).then((r) => r.dataset as EvaluationDataset),
    retry: noRetryOn4xx,
  });
}

/** One page of a dataset's current records (`pageToken` "" for the first). */
export function useDatasetRecords(datasetId: string, pageToken: string) {
  return useQuery({
    queryKey: ["dataset-records", datasetId, pageToken],
    queryFn: ({ signal }) =>
      apiGet<Answer<"get_dataset_records_get">>(
        `${one(datasetId)}/records`,
        { max_results: RECORDS_PAGE_SIZE, ...(pageToken ? { page_token: pageToken } : {}) },
        signal,
      ).then((r) => ({ records: JSON.parse(r.records) as DatasetRecord[], next: r.next_page_token ?? "" })),
    placeholderData: (previous) => previous,
    retry: noRetryOn4xx,
  });
}

/** A dataset's versions, newest first. */
export function useDatasetVersions(datasetId: string) {
  return useQuery({
    queryKey: ["dataset-versions", datasetId],
    queryFn: ({ signal }) =>
      apiGet<Answer<"list_dataset_versions_get">>(`${ardea(datasetId)}/versions`, { max_results: 1000 }, signal).then(
        (r) => r.versions as DatasetVersion[],
      ),
    retry: noRetryOn4xx,
  });
}

/** What changed between two versions (`from` < `to`). */
export function useDatasetDiff(datasetId: string, from: number, to: number) {
  return useQuery({
    queryKey: ["dataset-diff", datasetId, from, to],
    queryFn: ({ signal }) =>
      apiGet<DatasetDiff>(`${ardea(datasetId)}/diff`, { from_version: from, to_version: to }, signal),
    enabled: from > 0 && to > 0 && from !== to,
    retry: noRetryOn4xx,
  });
}

/** Set expectations of a record (an upsert by its inputs: keys merge, as MLflow's records do). */
export function useUpdateExpectations(datasetId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (v: { inputs: Record<string, unknown>; expectations: Record<string, unknown> }) =>
      apiPost<Answer<"upsert_dataset_records_post">>(`${one(datasetId)}/records`, {
        records: JSON.stringify([{ inputs: v.inputs, expectations: v.expectations }]),
      }),
    onSuccess: () => {
      for (const key of ["dataset", "dataset-records", "dataset-versions", "dataset-diff"])
        void client.invalidateQueries({ queryKey: [key, datasetId] });
    },
  });
}
