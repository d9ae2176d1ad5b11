import { useState } from "react";
import {
  artifactUrl,
  downloadArtifact,
  filesNeedHeaders,
  useArtifactObjectUrl,
  useArtifactText,
  type ArtifactFile,
  type ArtifactSource,
} from "@ardea/api/queries/artifacts";
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

/**
 * The download link of a file: a plain link, or (when requests must name a workspace, which a
 * link cannot) a button that fetches the file with the session's headers and saves it.
 */
function DownloadLink({ source, file }: { source: ArtifactSource; file: ArtifactFile }) {
  const [error, setError] = useState<unknown>(null);
  if (!filesNeedHeaders())
    return (
      <a href={artifactUrl(source, file.path)} download>
        Download
      </a>
    );
  return (
    <>
      <button type="button" className="link" onClick={() => void downloadArtifact(source, file.path).then(() => setError(null), setError)}>
        Download
      </button>
      <ErrorBanner error={error} prefix="Download failed" />
    </>
  );
}

function ImagePreview({ source, file }: { source: ArtifactSource; file: ArtifactFile }) {
  const fetched = filesNeedHeaders();
  const blob = useArtifactObjectUrl(source, file.path, fetched);
  if (!fetched) return <img className="preview-image" src={artifactUrl(source, file.path)} alt={file.path} />;
  if (blob.error) return <ErrorBanner error={blob.error} />;
  const url = blob.url;
  return url ? <img className="preview-image" src={url} alt={file.path} onLoad={() => URL.revokeObjectURL(url)} /> : <p className="muted">Loading…</p>;
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
        <DownloadLink source={source} file={file} />
        {Number.isFinite(size) ? <span className="muted">{size.toLocaleString()} bytes</span> : null}
      </div>
      {tooBig || kind === "none" ? (
        <p className="muted">{tooBig ? "Too large to preview." : "No preview for this file type."}</p>
      ) : kind === "image" ? (
        <ImagePreview source={source} file={file} />
      ) : (
        <TextPreview key={file.path} source={source} file={file} kind={kind} />
      )}
    </div>
  );
}
