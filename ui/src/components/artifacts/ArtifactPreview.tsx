import { artifactUrl, useArtifactText, type ArtifactFile, type ArtifactSource } from "@ardea/api/queries/artifacts";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { parseCsv } from "@ardea/lib/csv";
import { toNumber } from "@ardea/lib/format";
import { artifactKind } from "./artifactKind";

/** Files larger than this are not previewed, only downloaded. */
const PREVIEW_MAX_BYTES = 5 * 1024 * 1024;

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function TextPreview({ source, file, kind }: { source: ArtifactSource; file: ArtifactFile; kind: string }) {
  const text = useArtifactText(source, file.path, true);
  if (text.error) return <ErrorBanner error={text.error} />;
  if (text.data === undefined) return <p className="muted">Loading…</p>;
  if (kind === "csv" || kind === "tsv") {
    const rows = parseCsv(text.data, kind === "csv" ? "," : "\t");
    const [head = [], ...body] = rows;
    return (
      <div className="preview-scroll">
        <table className="plain" aria-label="Artifact table">
          <thead>
            <tr>
              {head.map((h, i) => (
                <th key={i}>{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {body.map((r, i) => (
              <tr key={i}>
                {r.map((c, j) => (
                  <td key={j}>{c}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length >= 500 ? <p className="muted">First 500 rows.</p> : null}
      </div>
    );
  }
  return (
    <pre className="preview-text" data-testid="artifact-text">
      {kind === "json" ? pretty(text.data) : text.data}
    </pre>
  );
}

/** A preview of one artifact (text, JSON, CSV as a table, image) and its download link. */
export function ArtifactPreview({ source, file }: { source: ArtifactSource; file: ArtifactFile }) {
  const kind = artifactKind(file.path);
  const size = toNumber(file.file_size);
  const tooBig = Number.isFinite(size) && size > PREVIEW_MAX_BYTES;
  return (
    <div className="artifact-preview" aria-label="Artifact preview">
      <div className="toolbar">
        <strong>{file.path}</strong>
        <a href={artifactUrl(source, file.path)} download>
          Download
        </a>
        {Number.isFinite(size) ? <span className="muted">{size.toLocaleString()} bytes</span> : null}
      </div>
      {tooBig || kind === "none" ? (
        <p className="muted">{tooBig ? "Too large to preview." : "No preview for this file type."}</p>
      ) : kind === "image" ? (
        <img className="preview-image" src={artifactUrl(source, file.path)} alt={file.path} />
      ) : (
        <TextPreview key={file.path} source={source} file={file} kind={kind} />
      )}
    </div>
  );
}
