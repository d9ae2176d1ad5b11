import { Link, useParams } from "react-router";
import { useModelVersions, useRegisteredModel, useUpdateModelDescription } from "@ardea/api/queries/registry";
import { DescriptionEditor } from "@ardea/components/markdown/DescriptionEditor";
import { LazyMarkdown } from "@ardea/components/markdown/LazyMarkdown";
import { LoggedModelLink } from "@ardea/components/models/LoggedModelLink";
import { AliasEditor } from "@ardea/components/registry/AliasEditor";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { SharingPanel } from "@ardea/components/sharing/SharingPanel";
import { KeyValueTable } from "@ardea/components/ui/KeyValueTable";
import { useCan } from "@ardea/hooks/useCan";
import { formatTime } from "@ardea/lib/format";
import { modelsPath, modelVersionPath } from "@ardea/lib/paths";
import { RunLink } from "@ardea/components/run/RunLink";

/**
 * One registered model: its description (editable Markdown), tags, aliases and its versions (with
 * their source runs), where aliases are set and deleted per version.
 */
export default function ModelPage() {
  const { name = "" } = useParams();
  const model = useRegisteredModel(name);
  const versions = useModelVersions(name, false);
  const m = model.data;
  const saveDescription = useUpdateModelDescription(name);
  const can = useCan("registered_model", name);
  const editDenied = can.why("EDIT", "change it");
  return (
    <section>
      <nav className="breadcrumbs">
        <Link to={modelsPath()}>Models</Link>
        <span>{name}</span>
      </nav>
      <h1>{name}</h1>
      <ErrorBanner error={model.error} />
      {m ? <SharingPanel resourceType="registered_model" id={name} /> : null}
      {m ? (
        <>
          <dl className="kv">
            <dt>Created</dt>
            <dd>{formatTime(m.creation_timestamp)}</dd>
            <dt>Last modified</dt>
            <dd>{formatTime(m.last_updated_timestamp)}</dd>
            {m.user_id ? (
              <>
                <dt>User</dt>
                <dd>{m.user_id}</dd>
              </>
            ) : null}
            <dt>Aliases</dt>
            <dd data-testid="model-aliases">
              {(m.aliases ?? []).length ? (m.aliases ?? []).map((a) => `@${a.alias} → v${a.version}`).join(", ") : "none"}
            </dd>
          </dl>
          <h2>Description</h2>
          <DescriptionEditor text={m.description ?? ""} save={saveDescription} testId="model-description" denied={editDenied} />
          <h2>Tags</h2>
          <KeyValueTable items={m.tags ?? []} label="Model tags" empty="No tags." />
        </>
      ) : null}
      <h2>Versions</h2>
      <ErrorBanner error={versions.error} />
      {versions.isPending ? <p className="muted">Loading versions…</p> : null}
      <table className="plain" aria-label="Versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Status</th>
            <th>Stage</th>
            <th>Aliases</th>
            <th>Tags</th>
            <th>Source run</th>
            <th>Logged model</th>
            <th>Created</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {(versions.data ?? []).map((v) => (
            <tr key={v.version} data-version={v.version}>
              <td>
                <Link to={modelVersionPath(name, v.version)}>v{v.version}</Link>
              </td>
              <td className={v.status === "READY" ? "status-FINISHED" : v.status === "FAILED_REGISTRATION" ? "status-FAILED" : "status-RUNNING"}>
                {v.status ?? ""}
                {v.status_message ? ` (${v.status_message})` : ""}
              </td>
              <td>{v.current_stage ?? ""}</td>
              <td>
                <AliasEditor name={name} version={v.version} aliases={v.aliases ?? []} denied={editDenied} />
              </td>
              <td>{(v.tags ?? []).map((t) => `${t.key}=${t.value ?? ""}`).join(", ")}</td>
              <td>{v.run_id ? <RunLink runId={v.run_id} /> : <span className="muted">{v.source ?? ""}</span>}</td>
              <td>{v.model_id ? <LoggedModelLink modelId={v.model_id} /> : null}</td>
              <td>{formatTime(v.creation_timestamp)}</td>
              <td className="md-cell">{v.description ? <LazyMarkdown source={v.description} /> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
