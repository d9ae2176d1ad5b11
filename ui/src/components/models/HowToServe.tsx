import { useState } from "react";
import { serveCommands, type ModelUri } from "./serveCommands";

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      aria-label={`Copy: ${label}`}
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(
          () => setCopied(true),
          () => setCopied(false),
        );
      }}
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

export interface HowToServeProps {
  /** The URIs to choose from; the first is the default. */
  uris: ModelUri[];
  /** The model's name (for the Kubernetes objects). */
  name: string;
  /** The `/invocations` body built from the input example, or null. */
  body: unknown;
  /** Why the model's files are pickles, or null. */
  pickle: string | null;
}

/** The exact commands that serve, score and deploy a model, each with a copy button. */
export function HowToServe({ uris, name, body, pickle }: HowToServeProps) {
  const [chosen, setChosen] = useState(uris[0]?.uri ?? "");
  const uri = uris.some((u) => u.uri === chosen) ? chosen : (uris[0]?.uri ?? "");
  const commands = serveCommands({ uri, name, trackingUri: window.location.origin, body, pickle: pickle !== null });
  return (
    <section className="how-to-serve" aria-label="How to serve">
      {uris.length > 1 ? (
        <label>
          Model URI{" "}
          <select value={uri} onChange={(e) => setChosen(e.target.value)}>
            {uris.map((u) => (
              <option key={u.uri} value={u.uri}>
                {u.uri} ({u.label})
              </option>
            ))}
          </select>
        </label>
      ) : (
        <p>
          Model URI: <code>{uri}</code>
        </p>
      )}
      {pickle ? (
        <p className="muted" data-testid="pickle-note">
          {`--allow-pickle: ${pickle}, and unpickling runs code chosen by whoever wrote it; pass it only if you trust this model's source (docs/models.md, "Pickle files and trust").`}
        </p>
      ) : null}
      {commands.map((c) => (
        <div key={c.title} className="serve-command">
          <div className="toolbar">
            <strong>{c.title}</strong>
            <CopyButton text={c.command} label={c.title} />
          </div>
          <pre className="preview-text" aria-label={c.title}>
            {c.command}
          </pre>
        </div>
      ))}
      {body === null ? <p className="muted">No input example: build the /invocations body from the signature (dataframe_split with its input columns).</p> : null}
      <p className="muted">
        If this server asks you to sign in, the CLI needs a token too: export ARDEA_TRACKING_TOKEN=… (create one under My API tokens in the user menu). A container or
        cluster loads a models:/ or runs:/ URI when it starts: give it this server with docker run -e ARDEA_TRACKING_URI=… or generate-k8s
        --tracking-uri.
      </p>
    </section>
  );
}
