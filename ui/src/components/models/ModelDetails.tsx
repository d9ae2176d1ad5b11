import type { ArtifactSource } from "@ardea/api/queries/artifacts";
import { ArtifactBrowser } from "@ardea/components/artifacts/ArtifactBrowser";
import { useArtifactParam } from "@ardea/components/artifacts/useArtifactParam";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { HowToServe } from "./HowToServe";
import { exampleView, invocationBody, type ExampleInfo, type Flavor, type SignatureColumn, type SignatureParam } from "./mlmodel";
import type { ModelUri } from "./serveCommands";
import { useModelDirectory, type FileText } from "./useModelDirectory";

/** Rows of an example table shown at most. */
const EXAMPLE_ROWS = 20;

function None({ children }: { children: string }) {
  return <p className="muted">{children}</p>;
}

function Pending({ file, absent }: { file: FileText; absent: string }) {
  if (file.state === "loading") return <None>Loading…</None>;
  if (file.state === "large") return <None>Too large to show here: see Files below.</None>;
  if (file.state === "error") return <ErrorBanner error={file.error} />;
  return <None>{absent}</None>;
}

function ColumnsTable({ label, columns }: { label: string; columns: SignatureColumn[] | null }) {
  if (!columns?.length) return <None>{`${label}: none.`}</None>;
  return (
    <table className="plain" aria-label={label}>
      <thead>
        <tr>
          <th>Name</th>
          <th>Type</th>
          <th>Required</th>
        </tr>
      </thead>
      <tbody>
        {columns.map((c, i) => (
          <tr key={i}>
            <td>{c.name || <span className="muted">(unnamed)</span>}</td>
            <td>
              <code>{c.type}</code>
            </td>
            <td>{c.required ? "yes" : "no"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ParamsTable({ params }: { params: SignatureParam[] | null }) {
  if (!params?.length) return <None>Params: none.</None>;
  return (
    <table className="plain" aria-label="Signature params">
      <thead>
        <tr>
          <th>Name</th>
          <th>Type</th>
          <th>Default</th>
          <th>Shape</th>
        </tr>
      </thead>
      <tbody>
        {params.map((p, i) => (
          <tr key={i}>
            <td>{p.name}</td>
            <td>
              <code>{p.type}</code>
            </td>
            <td>{p.default}</td>
            <td>{p.shape}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Example({ file, info }: { file: FileText; info: ExampleInfo | null }) {
  if (!info) return <None>No input example.</None>;
  if (file.text === null) return <Pending file={file} absent={`No input example (${info.path} is missing).`} />;
  const view = exampleView(file.text, info);
  if (view.kind === "json")
    return (
      <pre className="preview-text" data-testid="input-example">
        {view.text}
      </pre>
    );
  return (
    <div className="preview-scroll">
      <table className="plain" aria-label="Input example">
        <thead>
          <tr>
            {view.columns.map((c, i) => (
              <th key={i}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {view.rows.slice(0, EXAMPLE_ROWS).map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (
                <td key={j}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {view.rows.length > EXAMPLE_ROWS ? <None>{`First ${EXAMPLE_ROWS} of ${view.rows.length} rows.`}</None> : null}
    </div>
  );
}

function Flavors({ flavors }: { flavors: Flavor[] }) {
  if (!flavors.length) return <None>No flavours.</None>;
  return (
    <table className="plain" aria-label="Flavours">
      <thead>
        <tr>
          <th>Flavour</th>
          <th>Details</th>
        </tr>
      </thead>
      <tbody>
        {flavors.map((f) => (
          <tr key={f.name}>
            <td>
              <code>{f.name}</code>
            </td>
            <td>
              <dl className="kv">
                {f.facts.map(([k, v]) => (
                  <div key={k} className="kv-row">
                    <dt>{k}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
              </dl>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Requirements({ file }: { file: FileText }) {
  if (file.text === null) return <Pending file={file} absent="No requirements.txt." />;
  const lines = file.text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (!lines.length) return <None>requirements.txt is empty.</None>;
  return (
    <ul className="requirements" aria-label="Requirements">
      {lines.map((l, i) => (
        <li key={i}>
          <code>{l}</code>
        </li>
      ))}
    </ul>
  );
}

export interface ModelDetailsProps {
  /** The model directory: a logged model's or a registered version's files. */
  source: ArtifactSource;
  /** The URIs the serve commands offer (the first is the default). */
  uris: ModelUri[];
  /** The model's name, made into a Kubernetes name for generate-k8s. */
  name: string;
  /** The files tree's accessible name. */
  filesLabel: string;
  /** Shown when the directory has no files. */
  filesEmpty: string;
}

/**
 * A model directory's details, read from its `MLmodel` manifest through the artifact routes:
 * signature, input example, flavours, requirements, how to serve it, and its files. Missing
 * pieces read "none"; all of it is user text, rendered as text.
 */
export function ModelDetails({ source, uris, name, filesLabel, filesEmpty }: ModelDetailsProps) {
  const dir = useModelDirectory(source);
  const files = useArtifactParam();
  const m = dir.manifest;
  const missing =
    dir.manifestState === "loading" ? (
      <None>Loading…</None>
    ) : dir.manifestState === "error" && !dir.listError ? (
      <ErrorBanner error={dir.manifestError} prefix="Unreadable MLmodel file" />
    ) : dir.listError ? (
      <None>None: the model's files could not be listed (see Files below).</None>
    ) : (
      <None>None: this is not a model directory (no MLmodel file).</None>
    );
  const body = m?.example && dir.example.text !== null ? invocationBody(dir.example.text, m.example) : null;
  return (
    <div className="model-details" data-testid="model-details">
      <h2>Signature</h2>
      {m ? (
        m.signature ? (
          <>
            <h3>Inputs</h3>
            <ColumnsTable label="Signature inputs" columns={m.signature.inputs} />
            <h3>Outputs</h3>
            <ColumnsTable label="Signature outputs" columns={m.signature.outputs} />
            <h3>Params</h3>
            <ParamsTable params={m.signature.params} />
          </>
        ) : (
          <None>No signature.</None>
        )
      ) : (
        missing
      )}
      <h2>Input example</h2>
      {m ? <Example file={dir.example} info={m.example} /> : missing}
      <h2>Flavours</h2>
      {m ? <Flavors flavors={m.flavors} /> : missing}
      <h2>Requirements</h2>
      <Requirements file={dir.requirements} />
      <h2>How to serve</h2>
      {m ? <HowToServe uris={uris} name={name} body={body} pickle={m.pickle} /> : missing}
      <h2>Files</h2>
      <ArtifactBrowser source={source} selected={files.selected} onSelect={files.onSelect} label={filesLabel} empty={filesEmpty} sizes />
    </div>
  );
}
