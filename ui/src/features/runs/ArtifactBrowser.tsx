import { useState } from "react";
import { useArtifactList, type ArtifactFile } from "@ardea/api/queries/artifacts";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { ArtifactPreview } from "./ArtifactPreview";

interface TreeProps {
  runId: string;
  path: string;
  selected: string;
  onSelect: (file: ArtifactFile) => void;
}

function ArtifactTree({ runId, path, selected, onSelect }: TreeProps) {
  const list = useArtifactList(runId, path);
  const [open, setOpen] = useState<Record<string, boolean>>({});
  if (list.error) return <ErrorBanner error={list.error} />;
  if (!list.data) return <p className="muted">Loading…</p>;
  if (list.data.length === 0 && !path) return <p className="muted">No artifacts.</p>;
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
                {open[f.path] ? <ArtifactTree runId={runId} path={f.path} selected={selected} onSelect={onSelect} /> : null}
              </>
            ) : (
              <button
                type="button"
                className={f.path === selected ? "link selected" : "link"}
                aria-current={f.path === selected ? "true" : undefined}
                onClick={() => onSelect(f)}
              >
                {name}
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** The run's artifact folders as a lazy tree, and a preview of the chosen file. */
export function ArtifactBrowser({ runId, selected, onSelect }: { runId: string; selected: ArtifactFile | null; onSelect: (f: ArtifactFile) => void }) {
  return (
    <div className="artifacts">
      <nav aria-label="Artifacts">
        <ArtifactTree runId={runId} path="" selected={selected?.path ?? ""} onSelect={onSelect} />
      </nav>
      <div>{selected ? <ArtifactPreview runId={runId} file={selected} /> : <p className="muted">Choose a file to preview it.</p>}</div>
    </div>
  );
}
