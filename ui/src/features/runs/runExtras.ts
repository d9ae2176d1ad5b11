// The run page's extras: child runs, dataset inputs, and editing the description tag.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiPost } from "@ardea/api/client";
import type { Run, SearchRunsResponse } from "@ardea/api/types";

/** The tag MLflow keeps a run's description in. */
export const NOTE_TAG = "mlflow.note.content";

/** At most this many child runs are listed. */
export const CHILD_LIMIT = 200;

/** One row of the run page's datasets table. */
export interface DatasetRow {
  name: string;
  digest: string;
  sourceType: string;
  context: string;
}

/** The run's dataset inputs as table rows (context from the `mlflow.data.context` input tag). */
export function datasetRows(run: Run | undefined): DatasetRow[] {
  return (run?.inputs.dataset_inputs ?? []).map((d) => ({
    name: d.dataset.name,
    digest: d.dataset.digest,
    sourceType: d.dataset.source_type,
    context: d.tags.find((t) => t.key === "mlflow.data.context")?.value ?? "",
  }));
}

/** A string literal for the search grammar (single quotes, inner quotes escaped). */
export function filterLiteral(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** Runs (active, in `experimentId`) whose `mlflow.parentRunId` tag is `runId`. */
export function useChildRuns(experimentId: string, runId: string) {
  return useQuery({
    queryKey: ["child-runs", experimentId, runId],
    enabled: experimentId !== "" && runId !== "",
    queryFn: ({ signal }) =>
      apiPost<SearchRunsResponse>(
        "/2.0/mlflow/runs/search",
        {
          experiment_ids: [experimentId],
          filter: `tags.mlflow.parentRunId = ${filterLiteral(runId)}`,
          order_by: ["attributes.start_time DESC"],
          max_results: CHILD_LIMIT,
          run_view_type: "ACTIVE_ONLY",
        },
        signal,
      ).then((r) => ({ runs: r.runs, more: Boolean(r.next_page_token) })),
  });
}

/** Save a run's description (`mlflow.note.content` via runs/set-tag); refreshes the run. */
export function useSetDescription(runId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (text: string) => apiPost<unknown>("/2.0/mlflow/runs/set-tag", { run_id: runId, key: NOTE_TAG, value: text }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["run", runId] }),
  });
}
