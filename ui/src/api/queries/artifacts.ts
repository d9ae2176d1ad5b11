// Run artifacts: folder listings and file contents for previews.
import { useQuery } from "@tanstack/react-query";
import { ApiError, apiGet } from "../client";
import type { Answer, ErrorResponse, FileInfo } from "../types";

/** One entry of an artifact folder. */
export type ArtifactFile = FileInfo;

/** The URL that downloads one artifact of a run (served as an attachment, never as HTML). */
export function artifactUrl(runId: string, path: string): string {
  return `/get-artifact?${new URLSearchParams({ run_id: runId, path }).toString()}`;
}

/** The entries of one artifact folder ("" for the root). */
export function useArtifactList(runId: string, path: string) {
  return useQuery({
    queryKey: ["artifacts", runId, path],
    queryFn: ({ signal }) =>
      apiGet<Answer<"list_run_artifacts_get">>(
        "/2.0/mlflow/artifacts/list",
        { run_id: runId, path: path || undefined },
        signal,
      ).then((r) => r.files),
  });
}

/** The text of one artifact (for previews; the caller bounds the size). */
export function useArtifactText(runId: string, path: string, enabled: boolean) {
  return useQuery({
    queryKey: ["artifact-text", runId, path],
    enabled,
    queryFn: async ({ signal }) => {
      const response = await fetch(artifactUrl(runId, path), { signal });
      const text = await response.text();
      if (!response.ok) {
        let message = text.slice(0, 500);
        try {
          message = (JSON.parse(text) as Partial<ErrorResponse>).message ?? message;
        } catch {
          // not JSON: keep the text
        }
        throw new ApiError(response.status, "HTTP_ERROR", message);
      }
      return text;
    },
  });
}
