// Reads a model directory through the artifact routes: the root listing, the `MLmodel`
// manifest, the input example it names and `requirements.txt`. A missing file is "absent",
// not an error: only files the listing shows are fetched (a nested example is tried once).
import { useMemo } from "react";
import { useArtifactList, useArtifactText, type ArtifactFile, type ArtifactSource } from "@ardea/api/queries/artifacts";
import { toNumber } from "@ardea/lib/format";
import { parseMLmodel, type ModelManifest } from "./mlmodel";

/** Files larger than this (an example, requirements) are linked, not read. */
export const READ_MAX_BYTES = 1024 * 1024;

/** One file the panel wants: its text, or why there is none. */
export interface FileText {
  text: string | null;
  /** "absent", "large", "loading", or an error message. */
  state: "ok" | "absent" | "large" | "loading" | "error";
  error?: unknown;
}

export interface ModelDirectory {
  /** The root listing (undefined while loading). */
  files: ArtifactFile[] | undefined;
  listError: unknown;
  /** The parsed manifest; null when there is none (not a model directory) or it is unreadable. */
  manifest: ModelManifest | null;
  manifestState: FileText["state"];
  manifestError: unknown;
  example: FileText;
  requirements: FileText;
}

function entry(files: ArtifactFile[] | undefined, path: string): ArtifactFile | undefined {
  return files?.find((f) => f.path === path && !f.is_dir);
}

function useFile(source: ArtifactSource, files: ArtifactFile[] | undefined, path: string | null, nested = false): FileText {
  const found = path ? entry(files, path) : undefined;
  const size = toNumber(found?.file_size);
  const large = Number.isFinite(size) && size > READ_MAX_BYTES;
  // A file in a sub-folder is not in the root listing: try it, and treat a failure as absent.
  const tryNested = !found && nested && !!path?.includes("/");
  const wanted = !!path && files !== undefined && (!!found || tryNested) && !large;
  const query = useArtifactText(source, path ?? "", wanted);
  if (!path) return { text: null, state: "absent" };
  if (files === undefined) return { text: null, state: "loading" };
  if (large) return { text: null, state: "large" };
  if (!wanted) return { text: null, state: "absent" };
  if (query.error) return tryNested ? { text: null, state: "absent" } : { text: null, state: "error", error: query.error };
  if (query.data === undefined) return { text: null, state: "loading" };
  return { text: query.data, state: "ok" };
}

/** Everything the model panels read from the directory of `source`. */
export function useModelDirectory(source: ArtifactSource): ModelDirectory {
  const list = useArtifactList(source, "");
  const files = list.data;
  const mlmodel = useFile(source, files, "MLmodel");
  const parsed = useMemo(() => {
    if (mlmodel.text === null) return { manifest: null, error: null };
    try {
      return { manifest: parseMLmodel(mlmodel.text), error: null };
    } catch (error) {
      return { manifest: null, error };
    }
  }, [mlmodel.text]);
  const manifest = parsed.manifest;
  const example = useFile(source, files, manifest?.example?.path ?? null, true);
  const requirements = useFile(source, files, "requirements.txt");
  return {
    files,
    listError: list.error,
    manifest,
    manifestState: parsed.error ? "error" : list.error ? "error" : files === undefined ? "loading" : mlmodel.state,
    manifestError: parsed.error ?? mlmodel.error ?? list.error,
    example,
    requirements,
  };
}
