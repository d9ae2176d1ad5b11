// Artifact folders and files of a run, a logged model or a registered model version: listings
// and file contents for previews. Every file is downloaded from the server as an attachment with
// a content type browsers never render.
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { API_PREFIX, ApiError, apiFetch, apiGet, errorOf, requestWorkspace } from "../client";
import type { Answer, ErrorResponse, FileInfo } from "../types";

/** One entry of an artifact folder (`path` relative to the source's root). */
export type ArtifactFile = FileInfo;

/** Whose files: a run's artifacts, a logged model's files, or a registered version's files. */
export type ArtifactSource =
  | { kind: "run"; runId: string }
  | { kind: "loggedModel"; modelId: string }
  | { kind: "modelVersion"; name: string; version: string };

/** A stable cache key for a source. */
export function sourceKey(source: ArtifactSource): string[] {
  if (source.kind === "run") return ["run", source.runId];
  if (source.kind === "loggedModel") return ["logged-model", source.modelId];
  return ["model-version", source.name, source.version];
}

function query(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

/** The URL that downloads one file of `source`. */
export function artifactUrl(source: ArtifactSource, path: string): string {
  if (source.kind === "run") return `/get-artifact?${query({ run_id: source.runId, path })}`;
  if (source.kind === "loggedModel") {
    const id = encodeURIComponent(source.modelId);
    return `${API_PREFIX}/2.0/mlflow/logged-models/${id}/artifacts/files?${query({ artifact_file_path: path })}`;
  }
  return `/model-versions/get-artifact?${query({ name: source.name, version: source.version, path })}`;
}

async function listFolder(source: ArtifactSource, path: string, signal: AbortSignal): Promise<ArtifactFile[]> {
  if (source.kind === "run") {
    const r = await apiGet<Answer<"list_run_artifacts_get">>(
      "/2.0/mlflow/artifacts/list",
      { run_id: source.runId, path: path || undefined },
      signal,
    );
    return r.files;
  }
  if (source.kind === "loggedModel") {
    const r = await apiGet<Answer<"list_logged_model_artifacts_get">>(
      `/2.0/mlflow/logged-models/${encodeURIComponent(source.modelId)}/artifacts/directories`,
      { artifact_directory_path: path || undefined },
      signal,
    );
    // MLflow's listing names entries relative to the model's root; keep them so.
    return r.files;
  }
  const r = await apiGet<Answer<"list_model_version_artifacts_get">>(
    "/3.0/ardea/model-versions/artifacts",
    { name: source.name, version: source.version, path: path || undefined },
    signal,
  );
  return r.files;
}

/** The entries of one folder of `source` ("" for the root). */
export function useArtifactList(source: ArtifactSource, path: string) {
  return useQuery({
    queryKey: ["artifacts", ...sourceKey(source), path],
    queryFn: ({ signal }) => listFolder(source, path, signal),
  });
}

/** The text of one file of `source` (for previews; the caller bounds the size). */
export function useArtifactText(source: ArtifactSource, path: string, enabled: boolean) {
  return useQuery({
    queryKey: ["artifact-text", ...sourceKey(source), path],
    enabled,
    queryFn: async ({ signal }) => {
      const response = await apiFetch(artifactUrl(source, path), { signal });
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

/**
 * Whether file URLs work as plain links: not when requests must name a workspace (a link or an
 * `<img>` cannot send the `X-MLFLOW-WORKSPACE` header), then the files are fetched instead.
 */
export function filesNeedHeaders(): boolean {
  return requestWorkspace() !== null;
}

async function fileBlob(url: string, signal?: AbortSignal): Promise<Blob> {
  const response = await apiFetch(url, { signal });
  if (!response.ok) throw await errorOf(response);
  return response.blob();
}

/**
 * An object URL of one file of `source`, fetched with the session's headers (for an `<img>`,
 * which revokes it once loaded: `URL.revokeObjectURL` in its `onLoad`).
 */
export function useArtifactObjectUrl(source: ArtifactSource, path: string, enabled: boolean) {
  const query = useQuery({
    queryKey: ["artifact-blob", ...sourceKey(source), path],
    enabled,
    gcTime: 0,
    queryFn: ({ signal }) => fileBlob(artifactUrl(source, path), signal),
  });
  const blob = query.data;
  const url = useMemo(() => (blob ? URL.createObjectURL(blob) : undefined), [blob]);
  return { url, error: query.error };
}

/** Download one file of `source` through `fetch` (with the session's headers) as `name`. */
export async function downloadArtifact(source: ArtifactSource, path: string): Promise<void> {
  const url = URL.createObjectURL(await fileBlob(artifactUrl(source, path)));
  try {
    const a = document.createElement("a");
    a.href = url;
    a.download = path.split("/").pop() || "artifact";
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
