// The links the MLflow client prints and builds (`<server>/#/experiments/1/runs/<id>`, ...),
// mapped to Ardea's pages. MLflow's web app routes in the URL's hash; Ardea's in its path, so
// without this every such link would open the experiments list. Pure: `MlflowLinkRedirect`
// navigates to the target (looking up a run's or a logged model's experiment when the link
// lacks it).
import {
  comparePath,
  experimentsPath,
  loggedModelPath,
  loggedModelsPath,
  modelPath,
  modelsPath,
  modelVersionPath,
  overviewPath,
  promptPath,
  promptsPath,
  ROUTES,
  runPath,
  runsPath,
  sessionPath,
  sessionsPath,
  tracePath,
  tracesPath,
} from "./paths";

/** Where a link goes: a page (with a notice when only part of it could be kept), or a lookup. */
export type LinkTarget =
  | { kind: "page"; to: string; notice?: string }
  /** A run by id alone (`#/runs/<id>`): its experiment is looked up. */
  | { kind: "run"; runId: string; search?: Record<string, string> }
  /** A logged model by id alone: its experiment is looked up. */
  | { kind: "loggedModel"; modelId: string }
  /** Nothing Ardea has: the experiments list, saying so. */
  | { kind: "unknown"; link: string };

/** MLflow experiment tabs Ardea has no page for (the experiment's runs open instead). */
const OTHER_TABS: Record<string, string> = {
  datasets: "evaluation datasets",
  judges: "judges",
  scorers: "judges",
  issues: "issues",
  "review-queue": "review queues",
  "labeling-sessions": "labeling sessions",
  "label-schemas": "label schemas",
  "evaluation-runs": "evaluation runs",
  "prompt-optimization": "prompt optimization",
  "agent-versions": "agent versions",
  "custom-view": "custom views",
};

/** The notebook trace renderer's path, as MLflow's notebook display builds it. */
const NOTEBOOK_RENDERER = ROUTES.notebookTraceRenderer;

/** Whether a location is one of MLflow's links: a hash route (`#/...`, Databricks' `#mlflow/...`) or the notebook renderer. */
export function isMlflowLink(pathname: string, hash: string): boolean {
  return /^#(mlflow)?\//.test(hash) || pathname === NOTEBOOK_RENDERER;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** A JSON list of strings in a query value (`runs=["a","b"]`), [] when it is not one. */
function jsonList(value: string | null): string[] {
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

/** A JSON string in a query value (`metric="loss"`), or the raw value. */
function jsonString(value: string | null): string | undefined {
  if (!value) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "string" ? parsed : value;
  } catch {
    return value;
  }
}

function page(to: string, notice?: string): LinkTarget {
  return notice ? { kind: "page", to, notice } : { kind: "page", to };
}

/** A trace named in the query (`selectedTraceId`, older `selectedEvaluationId`), if any. */
function selectedTrace(q: URLSearchParams): string | null {
  return q.get("selectedTraceId") || q.get("selectedEvaluationId") || null;
}

function experimentLink(id: string, rest: string[], q: URLSearchParams, link: string): LinkTarget {
  const trace = selectedTrace(q);
  if (trace) return page(tracePath(id, trace));
  const [tab = "", sub, ...more] = rest;
  switch (tab) {
    case "":
    case "runs":
    case "s": {
      if (tab === "runs" && sub) {
        const [view = "", ...path] = more;
        const artifact = view === "artifacts" || view === "artifactPath" ? path.join("/") : "";
        return page(runPath(id, sub, artifact ? { artifact } : undefined));
      }
      const filter = q.get("searchFilter");
      return page(runsPath(id, filter ? { filter } : undefined));
    }
    case "traces":
      return page(sub ? tracePath(id, sub) : tracesPath(id));
    case "chat-sessions":
      return page(sub ? sessionPath(id, sub) : sessionsPath(id));
    case "overview":
      return page(overviewPath(id));
    case "models":
      return page(sub ? loggedModelPath(id, sub) : loggedModelsPath(id));
    case "prompts":
      return page(sub ? promptPath(sub, q.get("promptVersion") ?? undefined) : promptsPath());
    case "evaluation-runs": {
      const run = q.get("selectedRunUuid");
      if (run) return page(runPath(id, run));
      break;
    }
  }
  if (tab in OTHER_TABS || /^[\w-]+$/.test(tab)) {
    const what = OTHER_TABS[tab] ?? `"${tab}"`;
    return page(runsPath(id), `Ardea has no ${what} view yet; this is the experiment's runs (from ${link}).`);
  }
  return { kind: "unknown", link };
}

/**
 * Map one of MLflow's web-app links to an Ardea page. `hash` is the URL's hash (`#/experiments/
 * 1/runs/abc?x=y`); `pathname` and `search` matter only for the notebook trace renderer
 * (`/static-files/lib/notebook-trace-renderer/index.html?trace_id=...&experiment_id=...`).
 */
export function mapMlflowLink(pathname: string, search: string, hash: string): LinkTarget {
  if (pathname === NOTEBOOK_RENDERER) {
    const q = new URLSearchParams(search);
    const traces = q.getAll("trace_id");
    const experiments = q.getAll("experiment_id");
    if (traces.length === 1 && experiments[0]) return page(tracePath(experiments[0], traces[0]!));
    if (experiments[0]) return page(tracesPath(experiments[0]), traces.length ? `The notebook showed ${traces.length} traces; here are the experiment's traces.` : undefined);
    return { kind: "unknown", link: pathname + search };
  }
  const link = hash.replace(/^#(mlflow)?/, "#");
  const body = link.slice(1);
  const cut = body.indexOf("?");
  const path = cut < 0 ? body : body.slice(0, cut);
  const q = new URLSearchParams(cut < 0 ? "" : body.slice(cut + 1));
  const parts = path.split("/").filter(Boolean).map(decode);
  const [head = "", a, b, ...rest] = parts;
  switch (head) {
    case "":
      return page(experimentsPath());
    case "experiments":
      return a ? experimentLink(a, [b ?? "", ...rest], q, link) : page(experimentsPath());
    case "runs":
      if (a) return { kind: "run", runId: a };
      break;
    case "compare-runs": {
      const runs = jsonList(q.get("runs"));
      const experiments = jsonList(q.get("experiments"));
      if (runs.length && experiments[0]) return page(comparePath(experiments[0], runs));
      if (runs.length === 1) return { kind: "run", runId: runs[0]! };
      break;
    }
    case "metric": {
      const runs = jsonList(q.get("runs"));
      const experiments = jsonList(q.get("experiments"));
      const metric = jsonString(q.get("metric")) ?? [a, b, ...rest].filter(Boolean).join("/");
      if (runs.length === 1) return experiments[0] ? page(runPath(experiments[0], runs[0]!, metric ? { metric } : undefined)) : { kind: "run", runId: runs[0]!, search: metric ? { metric } : undefined };
      if (runs.length && experiments[0]) return page(comparePath(experiments[0], runs, metric || undefined));
      break;
    }
    case "compare-experiments":
      return page(experimentsPath(), `Ardea does not compare experiments side by side; here is the list (from ${link}).`);
    case "models":
      if (!a) return page(modelsPath());
      if (b === "versions" && rest[0]) return page(modelVersionPath(a, rest[0]));
      return page(modelPath(a), b ? `Ardea has no "${b}" view of a model; this is the model's page.` : undefined);
    case "compare-model-versions": {
      const name = q.get("name");
      if (name) return page(modelPath(jsonString(name) ?? name), "Ardea has no side-by-side view of model versions; this is the model's page.");
      break;
    }
    case "prompts":
      return page(a ? promptPath(a, q.get("promptVersion") ?? undefined) : promptsPath());
    case "logged-models":
      if (a) return { kind: "loggedModel", modelId: a };
      break;
  }
  return { kind: "unknown", link };
}

/**
 * The workspace an MLflow link names (`#/experiments/1/runs/<id>?workspace=team-a`, as the
 * `mlflow` client prints links for a run outside `default`), or null.
 */
export function mlflowLinkWorkspace(search: string, hash: string): string | null {
  const inHash = hash.includes("?") ? hash.slice(hash.indexOf("?") + 1) : "";
  return new URLSearchParams(inHash).get("workspace") || new URLSearchParams(search).get("workspace") || null;
}

/** `hash` and `search` without the `workspace` parameter (once the app switched to it). */
export function withoutLinkWorkspace(search: string, hash: string): { search: string; hash: string } {
  const drop = (query: string) => {
    const params = new URLSearchParams(query);
    params.delete("workspace");
    const rest = params.toString();
    return rest ? `?${rest}` : "";
  };
  const q = hash.indexOf("?");
  return { search: drop(search), hash: q < 0 ? hash : hash.slice(0, q) + drop(hash.slice(q + 1)) };
}
