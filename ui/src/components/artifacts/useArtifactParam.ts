import { useState } from "react";
import { useSearchParams } from "react-router";
import type { ArtifactFile } from "@ardea/api/queries/artifacts";

/**
 * The file shown by an artifact browser, kept in the URL (`?artifact=<path>`, replacing the
 * history entry) so a shared link opens the same preview; the entry picked last is kept too,
 * for its size.
 */
export function useArtifactParam() {
  const [params, setParams] = useSearchParams();
  const path = params.get("artifact") ?? "";
  const [picked, setPicked] = useState<ArtifactFile | null>(null);
  const selected: ArtifactFile | null = path ? (picked?.path === path ? picked : { path, is_dir: false }) : null;
  const onSelect = (file: ArtifactFile) => {
    setPicked(file);
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        next.set("artifact", file.path);
        return next;
      },
      { replace: true },
    );
  };
  return { selected, onSelect };
}
