import { useState } from "react";
import { LazyMarkdown } from "@ardea/components/markdown/LazyMarkdown";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { useSetDescription } from "./runExtras";

/**
 * The run's description rendered as Markdown (no raw HTML), with an Edit button: a text box
 * with a Preview/Edit toggle that saves `mlflow.note.content`.
 */
export function RunDescription({ runId, note }: { runId: string; note: string }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [preview, setPreview] = useState(false);
  const save = useSetDescription(runId);
  if (draft === null)
    return (
      <>
        {note ? <LazyMarkdown className="note" data-testid="run-description" source={note} /> : <p className="muted">No description.</p>}
        <button
          type="button"
          onClick={() => {
            setPreview(false);
            setDraft(note);
          }}
        >
          Edit description
        </button>
      </>
    );
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(draft, { onSuccess: () => setDraft(null) });
      }}
    >
      <ErrorBanner error={save.error} />
      <div className="toolbar" role="group" aria-label="Editor mode">
        <button type="button" aria-pressed={!preview} onClick={() => setPreview(false)}>
          Edit
        </button>
        <button type="button" aria-pressed={preview} onClick={() => setPreview(true)}>
          Preview
        </button>
        <span className="muted">Markdown (HTML tags show as text).</span>
      </div>
      {preview ? (
        draft ? (
          <LazyMarkdown className="note" data-testid="description-preview" source={draft} />
        ) : (
          <p className="muted">Nothing to preview.</p>
        )
      ) : (
        <textarea aria-label="Description" rows={6} style={{ width: "100%" }} value={draft} onChange={(e) => setDraft(e.target.value)} />
      )}
      <div className="toolbar">
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save"}
        </button>
        <button type="button" onClick={() => setDraft(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
