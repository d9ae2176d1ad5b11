// Every client-side route of the web UI, in one place: the patterns `<Route path>` matches
// and typed builders for links to them (parameters are URL-encoded by react-router's
// `generatePath`). No other module spells a route; `paths.test.ts` checks that.
import { generatePath } from "react-router";

/** The route patterns, for `<Route path>`. */
export const ROUTES = {
  experiments: "/",
  runs: "/experiments/:experimentId",
  run: "/experiments/:experimentId/runs/:runId",
  compare: "/experiments/:experimentId/compare",
  traces: "/experiments/:experimentId/traces",
  trace: "/experiments/:experimentId/traces/:traceId",
  sessions: "/experiments/:experimentId/sessions",
  session: "/experiments/:experimentId/sessions/:sessionId",
  overview: "/experiments/:experimentId/overview",
  /** An experiment's alert rules, their state and event history. */
  alerts: "/experiments/:experimentId/alerts",
  evaluations: "/experiments/:experimentId/evaluations",
  evaluationCompare: "/experiments/:experimentId/evaluations/compare",
  evaluation: "/experiments/:experimentId/evaluations/:runId",
  /** A conversation simulation run: its conversations as transcripts (`?failed=1`: failed goals). */
  simulation: "/experiments/:experimentId/simulations/:runId",
  judges: "/experiments/:experimentId/judges",
  judgeBuilder: "/experiments/:experimentId/judges/builder",
  /** An experiment's human review queues, one queue, and the focused review page. */
  reviewQueues: "/experiments/:experimentId/review",
  reviewQueue: "/experiments/:experimentId/review/:queueId",
  reviewWork: "/experiments/:experimentId/review/:queueId/work",
  /** An experiment's issues and the failure modes proposed from its judges' rationales. */
  issues: "/experiments/:experimentId/issues",
  loggedModels: "/experiments/:experimentId/models",
  loggedModel: "/experiments/:experimentId/models/:modelId",
  models: "/models",
  model: "/models/:name",
  modelVersion: "/models/:name/versions/:version",
  prompts: "/prompts",
  datasets: "/datasets",
  dataset: "/datasets/:datasetId",
  prompt: "/prompts/:name",
  /** The login page (`?next=<path>`: where to go once signed in). */
  login: "/login",
  /** The signed-in user's API tokens. */
  tokens: "/settings/tokens",
  /** Change the signed-in user's password. */
  password: "/settings/password",
  adminUsers: "/admin/users",
  adminServiceAccounts: "/admin/service-accounts",
  adminRoles: "/admin/roles",
  adminWorkspaces: "/admin/workspaces",
  adminAudit: "/admin/audit",
  /** The AI gateway: its endpoints (the section's first page). */
  gateway: "/gateway",
  gatewayEndpoint: "/gateway/endpoints/:name",
  gatewayUsage: "/gateway/usage",
  gatewayKeys: "/gateway/keys",
  gatewayBudgets: "/gateway/budgets",
  gatewayPlayground: "/gateway/playground",
  /** The page MLflow's notebook display loads for traces (`?trace_id=...&experiment_id=...`). */
  notebookTraceRenderer: "/static-files/lib/notebook-trace-renderer/index.html",
} as const;

/** Query parameters of a link: values, repeated values, or a ready `URLSearchParams`. */
export type Search = URLSearchParams | Record<string, string | readonly string[] | undefined>;

function withSearch(path: string, search?: Search): string {
  const params = new URLSearchParams();
  if (search instanceof URLSearchParams) search.forEach((v, k) => params.append(k, v));
  else
    for (const [key, value] of Object.entries(search ?? {})) {
      if (value === undefined) continue;
      for (const v of typeof value === "string" ? [value] : value) params.append(key, v);
    }
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/** The experiments list (the home page). */
export const experimentsPath = (search?: Search) => withSearch(ROUTES.experiments, search);

/** An experiment's runs table. */
export const runsPath = (experimentId: string, search?: Search) =>
  withSearch(generatePath(ROUTES.runs, { experimentId }), search);

/** One run of an experiment. */
export const runPath = (experimentId: string, runId: string, search?: Search) =>
  withSearch(generatePath(ROUTES.run, { experimentId, runId }), search);

/** Runs side by side (`sel`: the run ids; `metric`: the metric charted). */
export const comparePath = (experimentId: string, runIds: readonly string[], metric?: string) =>
  withSearch(generatePath(ROUTES.compare, { experimentId }), { sel: runIds, metric });

/** An experiment's traces. */
export const tracesPath = (experimentId: string, search?: Search) =>
  withSearch(generatePath(ROUTES.traces, { experimentId }), search);

/** One trace (its span tree). */
export const tracePath = (experimentId: string, traceId: string, search?: Search) =>
  withSearch(generatePath(ROUTES.trace, { experimentId, traceId }), search);

/** The AI gateway's pages: endpoints, one endpoint, usage, keys, budgets, the playground. */
export const gatewayPath = {
  endpoints: () => ROUTES.gateway,
  endpoint: (name: string) => generatePath(ROUTES.gatewayEndpoint, { name }),
  usage: (search?: Search) => withSearch(ROUTES.gatewayUsage, search),
  keys: (search?: Search) => withSearch(ROUTES.gatewayKeys, search),
  budgets: () => ROUTES.gatewayBudgets,
  playground: (search?: Search) => withSearch(ROUTES.gatewayPlayground, search),
};

/** An experiment's sessions. */
export const sessionsPath = (experimentId: string, search?: Search) =>
  withSearch(generatePath(ROUTES.sessions, { experimentId }), search);

/** One session (its turns). */
export const sessionPath = (experimentId: string, sessionId: string) =>
  generatePath(ROUTES.session, { experimentId, sessionId });

/** An experiment's alert rules. */
export const alertsPath = (experimentId: string) => generatePath(ROUTES.alerts, { experimentId });

/** An experiment's overview charts. */
export const overviewPath = (experimentId: string, search?: Search) =>
  withSearch(generatePath(ROUTES.overview, { experimentId }), search);

/** An experiment's evaluation runs (the Evaluations tab). */
export const evaluationsPath = (experimentId: string, search?: Search) =>
  withSearch(generatePath(ROUTES.evaluations, { experimentId }), search);

/** One evaluation's results grid (`?failed=<scorer>`, `?errors=1`, `?q=`: the filters). */
export const evaluationPath = (experimentId: string, runId: string, search?: Search) =>
  withSearch(generatePath(ROUTES.evaluation, { experimentId, runId }), search);

/** A simulation run's conversations (`?failed=1`: only those that did not reach their goal). */
export const simulationPath = (experimentId: string, runId: string, search?: Search) =>
  withSearch(generatePath(ROUTES.simulation, { experimentId, runId }), search);

/** Two evaluations compared (`a`: the baseline run, `b`: the candidate). */
export const evaluationComparePath = (experimentId: string, baseline: string, candidate: string) =>
  withSearch(generatePath(ROUTES.evaluationCompare, { experimentId }), { a: baseline, b: candidate });

/** An experiment's registered scorers (the Judges tab). */
export const judgesPath = (experimentId: string) => generatePath(ROUTES.judges, { experimentId });

/** An experiment's issues (proposals from failing judge verdicts, and the issues list). */
export const issuesPath = (experimentId: string) => generatePath(ROUTES.issues, { experimentId });

/** Human review: an experiment's queues, one queue, and its focused review page (`?item=`). */
export const reviewPath = {
  queues: (experimentId: string) => generatePath(ROUTES.reviewQueues, { experimentId }),
  queue: (experimentId: string, queueId: string) => generatePath(ROUTES.reviewQueue, { experimentId, queueId }),
  work: (experimentId: string, queueId: string, search?: Search) =>
    withSearch(generatePath(ROUTES.reviewWork, { experimentId, queueId }), search),
};

/** The judge builder (`?name=&version=`: a registered judge version opened to edit). */
export const judgeBuilderPath = (experimentId: string, search?: Search) =>
  withSearch(generatePath(ROUTES.judgeBuilder, { experimentId }), search);

/** The evaluation datasets (`?experiment=<id>`: those of one experiment). */
export const datasetsPath = (search?: Search) => withSearch(ROUTES.datasets, search);

/** One dataset (`?from=&to=`: the versions diffed; `?page=`: the records page token). */
export const datasetPath = (datasetId: string, search?: Search) =>
  withSearch(generatePath(ROUTES.dataset, { datasetId }), search);

/** An experiment's logged models (the Models tab). */
export const loggedModelsPath = (experimentId: string) => generatePath(ROUTES.loggedModels, { experimentId });

/** One logged model (`?artifact=<path>`: the file shown). */
export const loggedModelPath = (experimentId: string, modelId: string, search?: Search) =>
  withSearch(generatePath(ROUTES.loggedModel, { experimentId, modelId }), search);

/** The registered models list. */
export const modelsPath = (search?: Search) => withSearch(ROUTES.models, search);

/** One registered model. */
export const modelPath = (name: string) => generatePath(ROUTES.model, { name });

/** One version of a registered model (`?artifact=<path>`: the file shown). */
export const modelVersionPath = (name: string, version: string, search?: Search) =>
  withSearch(generatePath(ROUTES.modelVersion, { name, version }), search);

/** The prompts list. */
export const promptsPath = (search?: Search) => withSearch(ROUTES.prompts, search);

/** One prompt, optionally at a version (`?v=`). */
export const promptPath = (name: string, version?: string) =>
  withSearch(generatePath(ROUTES.prompt, { name }), { v: version });

/**
 * A path that is safe to go to after a login: one of this app's (starting with a single `/`,
 * not the login page itself); anything else becomes the experiments list.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return ROUTES.experiments;
  const path = next.split(/[?#]/, 1)[0];
  return path === ROUTES.login ? ROUTES.experiments : next;
}

/** The login page, coming back to `next` (a path of this app) once signed in. */
export const loginPath = (next?: string) =>
  withSearch(ROUTES.login, { next: next && safeNextPath(next) !== ROUTES.experiments ? next : undefined });

/** The signed-in user's API tokens. */
export const tokensPath = () => ROUTES.tokens;

/** The signed-in user's change-password page. */
export const passwordPath = () => ROUTES.password;

/** The admin pages. */
export const adminPath = {
  users: () => ROUTES.adminUsers,
  serviceAccounts: () => ROUTES.adminServiceAccounts,
  roles: () => ROUTES.adminRoles,
  workspaces: () => ROUTES.adminWorkspaces,
  audit: (search?: Search) => withSearch(ROUTES.adminAudit, search),
} as const;
