import { useState } from "react";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { Gated } from "@ardea/components/ui/Gated";
import { LazyMarkdown } from "./LazyMarkdown";

/** How the editor saves: a TanStack mutation of the text fits. */
export interface DescriptionSave {
  mutate: (text: string, options: { onSuccess: () => void }) => void;
  isPending: boolean;
  error: unknown;
}

/**
 * A description rendered as Markdown (no raw HTML), with an Edit button: a text box with an
 * Edit/Preview toggle, Save (through `save`, errors shown as the server gave them) and Cancel.
 * `denied` (why the caller may not edit it) disables the Edit button, with the reason as its tooltip.
 */
export function DescriptionEditor({ text, save, testId, denied = "" }: { text: string; save: DescriptionSave; testId: string; denied?: string }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [preview, setPreview] = useState(false);
  if (draft === null)
    return (
      <>
        {text ? <LazyMarkdown className="note" data-testid={testId} source={text} /> : <p className="muted">No description.</p>}
        <Gated reason={denied}>
          <button
            type="button"
            onClick={() => {
              setPreview(false);
              setDraft(text);
            }}
          >
            Edit description
          </button>
        </Gated>
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
