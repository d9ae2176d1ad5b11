import { Link, useParams } from "react-router";
import { useModelVersion } from "@ardea/api/queries/loggedModels";
import { LazyMarkdown } from "@ardea/components/markdown/LazyMarkdown";
import { LoggedModelLink } from "@ardea/components/models/LoggedModelLink";
import { ModelDetails } from "@ardea/components/models/ModelDetails";
import { versionUris } from "@ardea/components/models/serveCommands";
import { RunLink } from "@ardea/components/run/RunLink";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { KeyValueTable } from "@ardea/components/ui/KeyValueTable";
import { formatTime } from "@ardea/lib/format";
import { modelPath, modelsPath } from "@ardea/lib/paths";

/**
 * One registered model version: status, stage, aliases, where it came from (source, run, logged
 * model), its description and tags, and the model's details (signature, example, flavours,
 * requirements, how to serve it, files), read from the files the server finds from the version's
 * source (`models:/<model_id>`, `runs:/...` or an artifact URI).
 */
export default function ModelVersionPage() {
  const { name = "", version = "" } = useParams();
  const mv = useModelVersion(name, version);
  const v = mv.data;
  return (
    <section>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to={modelsPath()}>Models</Link>
        <Link to={modelPath(name)}>{name}</Link>
        <span>v{version}</span>
      </nav>
      <h1>
        {name} v{version}
      </h1>
      <ErrorBanner error={mv.error} />
      {mv.isPending ? <p className="muted">Loading…</p> : null}
      {v ? (
        <>
          <dl className="kv" aria-label="Version overview">
            <dt>Status</dt>
            <dd className={v.status === "READY" ? "status-FINISHED" : v.status === "FAILED_REGISTRATION" ? "status-FAILED" : "status-RUNNING"}>
              {v.status ?? ""}
              {v.status_message ? ` (${v.status_message})` : ""}
            </dd>
            {v.current_stage && v.current_stage !== "None" ? (
              <>
                <dt>Stage</dt>
                <dd>{v.current_stage}</dd>
              </>
            ) : null}
            {v.aliases?.length ? (
              <>
                <dt>Aliases</dt>
                <dd>{v.aliases.map((a) => `@${a}`).join(", ")}</dd>
              </>
            ) : null}
            <dt>Created</dt>
            <dd>{formatTime(v.creation_timestamp)}</dd>
            <dt>Source</dt>
            <dd>{v.source ?? ""}</dd>
            {v.run_id ? (
              <>
                <dt>Source run</dt>
                <dd data-testid="version-run">
                  <RunLink runId={v.run_id} />
                </dd>
              </>
            ) : null}
            {v.model_id ? (
              <>
                <dt>Logged model</dt>
                <dd data-testid="version-logged-model">
                  <LoggedModelLink modelId={v.model_id} />
                </dd>
              </>
            ) : null}
          </dl>
          {v.description ? (
            <>
              <h2>Description</h2>
              <LazyMarkdown source={v.description} />
            </>
          ) : null}
          <h2>Tags</h2>
          <KeyValueTable items={v.tags ?? []} label="Version tags" empty="No tags." />
          <ModelDetails
            source={{ kind: "modelVersion", name, version }}
            uris={versionUris(name, version, v.aliases ?? [])}
            name={name}
            filesLabel="Version files"
            filesEmpty="No files."
          />
        </>
      ) : null}
    </section>
  );
}
