import { useState, type FormEvent } from "react";
import { useDeleteTraceTag, useSetTraceTag } from "@ardea/api/queries/traceEdits";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { Gated } from "@ardea/components/ui/Gated";

/**
 * The trace's tags (MLflow's own `mlflow.*` tags are listed apart), with add and remove
 * (disabled, with `denied` as the tooltip, for a caller who may not edit the experiment).
 */
export function TraceTags({ traceId, tags, denied = "" }: { traceId: string; tags: Record<string, string> | undefined; denied?: string }) {
  const set = useSetTraceTag(traceId);
  const remove = useDeleteTraceTag(traceId);
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const entries = Object.entries(tags ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const user = entries.filter(([k]) => !k.startsWith("mlflow."));
  const system = entries.filter(([k]) => k.startsWith("mlflow."));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!key.trim()) return;
    set.mutate({ key: key.trim(), value }, {
        onSuccess: () => {
          setKey("");
          setValue("");
        },
      });
  };
  return (
    <section aria-label="Trace tags">
      <h2>Tags</h2>
      {user.length ? (
        <div>
          {user.map(([k, v]) => (
            <span key={k} className="tag-chip" data-tag={k}>
              {k}
              {v ? ` = ${v}` : ""}
              <Gated reason={denied}>
                <button type="button" className="link" aria-label={`Remove tag ${k}`} disabled={remove.isPending} onClick={() => remove.mutate(k)}>
                  ×
                </button>
              </Gated>
            </span>
          ))}
        </div>
      ) : (
        <p className="muted">No tags.</p>
      )}
      {system.length ? (
        <details>
          <summary className="muted">{system.length} MLflow tags</summary>
          {system.map(([k, v]) => (
            <div key={k} className="cell-pre">
              {k} = {v}
            </div>
          ))}
        </details>
      ) : null}
      <form className="tag-form" onSubmit={submit} aria-label="Add tag">
        <input aria-label="Tag key" placeholder="key" value={key} disabled={Boolean(denied)} onChange={(e) => setKey(e.target.value)} />
        <input aria-label="Tag value" placeholder="value" value={value} disabled={Boolean(denied)} onChange={(e) => setValue(e.target.value)} />
        <Gated reason={denied}>
          <button type="submit" disabled={set.isPending || !key.trim()}>
            Add tag
          </button>
        </Gated>
      </form>
      <ErrorBanner error={set.error ?? remove.error} />
    </section>
  );
}
