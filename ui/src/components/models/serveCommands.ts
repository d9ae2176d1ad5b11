// The exact shell commands that serve, score and deploy one model (docs/models.md "Serving",
// docs/deployment.md "Model servers"). Every value a user chose is shell-quoted.

/** The port the scoring-server examples use (`ardea models serve`'s default). */
export const SERVE_PORT = 5001;

const SAFE = /[A-Za-z0-9@%+=:,./_-]+/;

/** `value` as one POSIX shell word: bare when safe, else single-quoted. */
export function shellQuote(value: string): string {
  if (SAFE.exec(value)?.[0] === value) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A Kubernetes object name (a DNS label: lowercase letters, digits, '-', at most 63) from `name`. */
export function k8sName(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 63)
    .replace(/^-+|-+$/g, "");
  return label || "model";
}

/** A model URI to offer, with what it names. */
export interface ModelUri {
  uri: string;
  label: string;
}

/** The URIs of a registered version: the version itself, then one per alias. */
export function versionUris(name: string, version: string, aliases: readonly string[]): ModelUri[] {
  return [
    { uri: `models:/${name}/${version}`, label: `version ${version}` },
    ...aliases.map((a) => ({ uri: `models:/${name}@${a}`, label: `alias @${a}` })),
  ];
}

/** The URIs of a logged model: its id, and its source run's path when it has one. */
export function loggedModelUris(modelId: string, name: string, runId: string | null | undefined): ModelUri[] {
  const uris = [{ uri: `models:/${modelId}`, label: "model ID" }];
  if (runId && name) uris.push({ uri: `runs:/${runId}/${name}`, label: "source run" });
  return uris;
}

/** One titled command of the "How to serve" panel. */
export interface ServeCommand {
  title: string;
  command: string;
}

export interface ServeOptions {
  uri: string;
  /** The Kubernetes name for generate-k8s. */
  name: string;
  /** This tracking server's address, for `models:/` and `runs:/` URIs. */
  trackingUri: string;
  /** The `/invocations` body built from the input example, or null without one. */
  body: unknown;
  /** Whether the model's files are pickles (adds `--allow-pickle`). */
  pickle: boolean;
}

/** The commands, in the order a user runs them. */
export function serveCommands({ uri, name, trackingUri, body, pickle }: ServeOptions): ServeCommand[] {
  const m = shellQuote(uri);
  const allow = pickle ? " --allow-pickle" : "";
  const commands: ServeCommand[] = [
    { title: "Point the CLI at this server", command: `export ARDEA_TRACKING_URI=${shellQuote(trackingUri)}` },
    { title: "Serve", command: `ardea models serve -m ${m} --port ${SERVE_PORT}${allow}` },
  ];
  if (body !== null)
    commands.push({
      title: "Score (with the input example)",
      command: `curl -X POST http://127.0.0.1:${SERVE_PORT}/invocations -H 'Content-Type: application/json' -d ${shellQuote(JSON.stringify(body))}`,
    });
  const k8s = shellQuote(k8sName(name));
  commands.push(
    { title: "Batch predict", command: `ardea models predict -m ${m} -i input.parquet -o predictions.parquet${allow}` },
    { title: "Docker build context", command: `ardea models build-docker -m ${m} -d ./image${allow}` },
    { title: "Kubernetes manifests", command: `ardea models generate-k8s -m ${m} --name ${k8s}${allow}` },
  );
  return commands;
}
