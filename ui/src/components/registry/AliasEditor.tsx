import { useState } from "react";
import { useDeleteAlias, useSetAlias } from "@ardea/api/queries/registry";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { Gated } from "@ardea/components/ui/Gated";
import "./aliases.css";

/**
 * The aliases of one version of model (or prompt) `name`, each as a chip with an × that deletes
 * it, and a text box + Set that points a (new or moved) alias at this version. The server's
 * errors (such as an invalid alias name) show inline, unchanged. `denied` (why the caller may
 * not change aliases) disables the controls, with the reason as their tooltip.
 */
export function AliasEditor({ name, version, aliases, denied = "" }: { name: string; version: string; aliases: string[]; denied?: string }) {
  const [alias, setAlias] = useState("");
  const set = useSetAlias(name);
  const remove = useDeleteAlias(name);
  return (
    <div className="alias-editor">
      {aliases.map((a) => (
        <span key={a} className="alias-chip" data-alias={a}>
          @{a}
          <Gated reason={denied}>
            <button type="button" aria-label={`Delete alias ${a}`} title={`Delete alias @${a}`} disabled={remove.isPending} onClick={() => remove.mutate(a)}>
              ×
            </button>
          </Gated>
        </span>
      ))}
      <form
        className="alias-form"
        onSubmit={(e) => {
          e.preventDefault();
          remove.reset();
          set.mutate({ alias: alias.trim(), version }, { onSuccess: () => setAlias("") });
        }}
      >
        <input aria-label={`Alias for v${version}`} placeholder="alias" size={10} value={alias} disabled={Boolean(denied)} onChange={(e) => setAlias(e.target.value)} />
        <Gated reason={denied}>
          <button type="submit" disabled={!alias.trim() || set.isPending}>
            Set
          </button>
        </Gated>
      </form>
      <ErrorBanner error={set.error ?? remove.error} />
    </div>
  );
}
