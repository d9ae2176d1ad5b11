import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useCreatePrompt, useRegisteredModels } from "@ardea/api/queries/registry";
import { FilterBox } from "@ardea/components/search/FilterBox";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { Gated } from "@ardea/components/ui/Gated";
import { useCanCreate } from "@ardea/hooks/useCan";
import { formatTime } from "@ardea/lib/format";
import { promptPath } from "@ardea/lib/paths";
import { draftFrom, newPromptRequest, promptNameProblem } from "./promptEdit";
import { PromptEditor } from "./PromptEditor";
import { isUserTag } from "./promptTags";
import "./prompts.css";

/** The "New prompt" form: a name and the first version's template and commit message. */
function NewPrompt({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState("");
  const create = useCreatePrompt();
  const navigate = useNavigate();
  const problem = promptNameProblem(name.trim());
  return (
    <PromptEditor
      title="New prompt"
      header={
        <label className="toolbar">
          Name <input aria-label="Prompt name" size={40} value={name} onChange={(e) => setName(e.target.value)} />
          {name && problem ? <span className="muted">{problem}</span> : null}
        </label>
      }
      initial={draftFrom(null)}
      pending={create.isPending}
      error={create.error}
      canSave={!problem}
      onSave={(draft) =>
        create.mutate(newPromptRequest(name.trim(), draft), {
          onSuccess: (mv) => void navigate(promptPath(mv.name, mv.version)),
        })
      }
      onCancel={onClose}
    />
  );
}

function PromptsTable({ search }: { search: string }) {
  const [tokens, setTokens] = useState<string[]>([""]);
  const prompts = useRegisteredModels(search, true, tokens[tokens.length - 1] ?? "");
  const rows = prompts.data?.registered_models ?? [];
  const next = prompts.data?.next_page_token;
  return (
    <>
      <ErrorBanner error={prompts.error} />
      {prompts.isPending ? <p className="muted">Loading prompts…</p> : null}
      {!prompts.isPending && !rows.length && !prompts.error ? <p className="muted">No prompts{search ? " match" : " yet"}.</p> : null}
      <table className="plain" aria-label="Prompts">
        <thead>
          <tr>
            <th>Name</th>
            <th>Latest version</th>
            <th>Aliases</th>
            <th>Tags</th>
            <th>Last modified</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={p.name}>
              <td>
                <Link to={promptPath(p.name)}>{p.name}</Link>
              </td>
              <td>{p.latest_versions?.length ? `v${Math.max(...p.latest_versions.map((v) => Number(v.version)))}` : ""}</td>
              <td>{(p.aliases ?? []).map((a) => `@${a.alias} → v${a.version}`).join(", ")}</td>
              <td>
                {(p.tags ?? [])
                  .filter((t) => isUserTag(t.key))
                  .map((t) => `${t.key}=${t.value ?? ""}`)
                  .join(", ")}
              </td>
              <td>{formatTime(p.last_updated_timestamp)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="toolbar">
        <button type="button" onClick={() => setTokens((t) => (t.length > 1 ? t.slice(0, -1) : t))} disabled={tokens.length <= 1}>
          Previous
        </button>
        <span className="muted">Page {tokens.length}</span>
        <button type="button" onClick={() => next && setTokens((t) => [...t, next])} disabled={!next}>
          Next
        </button>
      </div>
    </>
  );
}

/** Prompts (registered models tagged as prompts), searched by name on the server (`?q=`). */
export default function PromptsPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get("q") ?? "";
  const [creating, setCreating] = useState(false);
  const canCreate = useCanCreate();
  return (
    <section>
      <h1>Prompts</h1>
      <div className="toolbar">
        <FilterBox key={search} label="Search prompts" placeholder="Prompt name contains…" value={search} onApply={(q) => setParams(q ? { q } : {})} />
        {creating ? null : (
          <Gated reason={canCreate.why("USE", "create prompts in it")}>
            <button type="button" onClick={() => setCreating(true)}>
              New prompt
            </button>
          </Gated>
        )}
      </div>
      {creating ? <NewPrompt onClose={() => setCreating(false)} /> : null}
      <PromptsTable key={search} search={search} />
    </section>
  );
}
