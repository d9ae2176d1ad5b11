import { useMemo, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useCreateVersion, useModelVersions, useRegisteredModel } from "@ardea/api/queries/registry";
import { LazyMarkdown } from "@ardea/components/markdown/LazyMarkdown";
import { AliasEditor } from "@ardea/components/registry/AliasEditor";
import { SharingPanel } from "@ardea/components/sharing/SharingPanel";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { Gated } from "@ardea/components/ui/Gated";
import { useCan } from "@ardea/hooks/useCan";
import { formatTime } from "@ardea/lib/format";
import { promptsPath } from "@ardea/lib/paths";
import { PromptDiff } from "@ardea/components/diff/PromptDiff";
import { PromptLineage } from "./PromptLineage";
import { draftFrom, versionRequest } from "./promptEdit";
import { PromptEditor } from "./PromptEditor";
import { isUserTag } from "./promptTags";
import { promptTemplate, templateText, templateVariables } from "./template";
import { TemplateView } from "./TemplateView";
import "./prompts.css";

/**
 * One prompt: its versions, the chosen version's template (`?v=`), a diff of two versions
 * (`?from=&to=`), aliases (set and deleted per version), the runs and traces that used it, and
 * "New version": an editor prefilled with the shown version's template that saves the next one.
 */
export default function PromptPage() {
  const { name = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const prompt = useRegisteredModel(name);
  const versions = useModelVersions(name, true);
  const list = useMemo(() => versions.data ?? [], [versions.data]);
  const latest = list[0]?.version ?? "";
  const chosen = list.find((v) => v.version === (params.get("v") ?? latest)) ?? list[0];
  const to = list.find((v) => v.version === (params.get("to") ?? latest)) ?? list[0];
  const from = list.find((v) => v.version === params.get("from")) ?? list[1] ?? list[0];
  const template = chosen ? promptTemplate(chosen.tags) : null;
  const aliasesOf = (version: string) => (prompt.data?.aliases ?? []).filter((a) => a.version === version).map((a) => a.alias);
  const [editing, setEditing] = useState(false);
  const create = useCreateVersion(name);
  const can = useCan("prompt", name);
  const editDenied = can.why("EDIT", "change it");

  const set = (key: string, value: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        next.set(key, value);
        return next;
      },
      { replace: true },
    );

  return (
    <section>
      <nav className="breadcrumbs">
        <Link to={promptsPath()}>Prompts</Link>
        <span>{name}</span>
      </nav>
      <h1>{name}</h1>
      <ErrorBanner error={prompt.error ?? versions.error} />
      {prompt.data ? <SharingPanel resourceType="prompt" id={name} /> : null}
      {prompt.data?.description ? <LazyMarkdown className="note" data-testid="prompt-description" source={prompt.data.description} /> : null}
      <dl className="kv">
        <dt>Aliases</dt>
        <dd data-testid="prompt-aliases">
          {(prompt.data?.aliases ?? []).map((a) => `@${a.alias} → v${a.version}`).join(", ") || "none"}
        </dd>
        <dt>Tags</dt>
        <dd>
          {(prompt.data?.tags ?? [])
            .filter((t) => isUserTag(t.key))
            .map((t) => `${t.key}=${t.value ?? ""}`)
            .join(", ") || "none"}
        </dd>
      </dl>

      <h2>Versions</h2>
      {versions.isPending ? <p className="muted">Loading versions…</p> : null}
      <table className="plain prompt-versions" aria-label="Prompt versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Commit message</th>
            <th>Aliases</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {list.map((v) => (
            <tr key={v.version} className={v === chosen ? "selected-row" : undefined} data-version={v.version}>
              <td>
                <button type="button" className="link" aria-pressed={v === chosen} onClick={() => set("v", v.version)}>
                  v{v.version}
                </button>
              </td>
              <td>{v.description ?? ""}</td>
              <td>
                <AliasEditor name={name} version={v.version} aliases={aliasesOf(v.version)} denied={editDenied} />
              </td>
              <td>{formatTime(v.creation_timestamp)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      {editing ? (
        <PromptEditor
          key={chosen?.version ?? ""}
          title={chosen ? `New version (from v${chosen.version})` : "New version"}
          initial={draftFrom(template)}
          pending={create.isPending}
          error={create.error}
          onSave={(draft) =>
            create.mutate(versionRequest(name, draft), {
              onSuccess: (mv) => {
                setEditing(false);
                set("v", mv.version);
              },
            })
          }
          onCancel={() => {
            create.reset();
            setEditing(false);
          }}
        />
      ) : (
        <div className="toolbar">
          <Gated reason={editDenied}>
            <button type="button" onClick={() => setEditing(true)} disabled={versions.isPending}>
              New version
            </button>
          </Gated>
        </div>
      )}

      {chosen && template ? (
        <section aria-label="Template">
          <h2>Template of v{chosen.version}</h2>
          <p className="muted">
            {template.kind === "chat" ? `Chat, ${template.messages.length} messages. ` : ""}
            Variables: {templateVariables(template).join(", ") || "none"}
          </p>
          <TemplateView template={template} />
        </section>
      ) : null}

      {list.length > 1 && from && to ? (
        <section aria-label="Compare versions">
          <h2>Compare versions</h2>
          <div className="toolbar">
            <VersionSelect label="From" aria="Diff from version" versions={list} value={from.version} onChange={(v) => set("from", v)} />
            <VersionSelect label="To" aria="Diff to version" versions={list} value={to.version} onChange={(v) => set("to", v)} />
          </div>
          <PromptDiff
            label={`Diff from v${from.version} to v${to.version}`}
            before={templateText(promptTemplate(from.tags))}
            after={templateText(promptTemplate(to.tags))}
          />
        </section>
      ) : null}

      <section className="prompt-lineage" aria-label="Used by">
        <h2>Used by</h2>
        <PromptLineage name={name} />
      </section>
    </section>
  );
}

/** A labelled picker of one of the prompt's versions. */
function VersionSelect(props: { label: string; aria: string; versions: { version: string }[]; value: string; onChange: (version: string) => void }) {
  return (
    <label>
      {props.label}{" "}
      <select aria-label={props.aria} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.versions.map((v) => (
          <option key={v.version} value={v.version}>
            v{v.version}
          </option>
        ))}
      </select>
    </label>
  );
}
