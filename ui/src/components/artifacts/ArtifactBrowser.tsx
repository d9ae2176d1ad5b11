import { useState } from "react";
import { useArtifactList, type ArtifactFile, type ArtifactSource } from "@ardea/api/queries/artifacts";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatBytes } from "@ardea/lib/format";
import { ArtifactPreview } from "./ArtifactPreview";

interface TreeProps {
  source: ArtifactSource;
  path: string;
  selected: string;
  onSelect: (file: ArtifactFile) => void;
  sizes: boolean;
}

function ArtifactTree({ source, path, selected, onSelect, sizes, empty }: TreeProps & { empty: string }) {
  const list = useArtifactList(source, path);
  const [open, setOpen] = useState<Record<string, boolean>>({});
  if (list.error) return <ErrorBanner error={list.error} />;
  if (!list.data) return <p className="muted">Loading…</p>;
  if (list.data.length === 0 && !path) return <p className="muted">{empty}</p>;
  return (
    <ul className="artifact-tree">
      {list.data.map((f) => {
        const name = f.path.split("/").pop() ?? f.path;
        return (
          <li key={f.path}>
            {f.is_dir ? (
              <>
                <button type="button" className="link" aria-expanded={!!open[f.path]} onClick={() => setOpen({ ...open, [f.path]: !open[f.path] })}>
                  {open[f.path] ? "▾" : "▸"} {name}/
                </button>
                {open[f.path] ? <ArtifactTree source={source} path={f.path} selected={selected} onSelect={onSelect} sizes={sizes} empty={empty} /> : null}
              </>
            ) : (
              <>
                <button
                  type="button"
                  className={f.path === selected ? "link selected" : "link"}
                  aria-current={f.path === selected ? "true" : undefined}
                  onClick={() => onSelect(f)}
                >
                  {name}
                </button>
                {sizes && f.file_size !== undefined && f.file_size !== null ? <span className="muted file-size"> {formatBytes(f.file_size)}</span> : null}
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}

export interface ArtifactBrowserProps {
  source: ArtifactSource;
  selected: ArtifactFile | null;
  onSelect: (f: ArtifactFile) => void;
  /** The tree's accessible name ("Artifacts", "Model files"). */
  label?: string;
  /** Shown when the root folder is empty. */
  empty?: string;
  /** Show each file's size in the tree. */
  sizes?: boolean;
}

/** Folders of a run, logged model or model version as a lazy tree, and a preview of the chosen file. */
export function ArtifactBrowser({ source, selected, onSelect, label = "Artifacts", empty = "No artifacts.", sizes = false }: ArtifactBrowserProps) {
  return (
    <div className="artifacts">
      <nav aria-label={label}>
        <ArtifactTree source={source} path="" selected={selected?.path ?? ""} onSelect={onSelect} sizes={sizes} empty={empty} />
      </nav>
      <div>{selected ? <ArtifactPreview source={source} file={selected} /> : <p className="muted">Choose a file to preview it.</p>}</div>
    </div>
  );
}
