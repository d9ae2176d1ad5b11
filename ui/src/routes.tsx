import { lazy, Suspense } from "react";
import { Link, Route, Routes } from "react-router";
import { experimentsPath, ROUTES } from "@ardea/lib/paths";
import { ExperimentsPage } from "./features/experiments";

// The runs feature (table, run page, charts) loads on demand to keep the first page small.
const RunsPage = lazy(() => import("./features/runs/RunsPage"));
const RunPage = lazy(() => import("./features/runs/RunPage"));
const ComparePage = lazy(() => import("./features/runs/ComparePage"));
const TracesPage = lazy(() => import("./features/traces/TracesPage"));
const TracePage = lazy(() => import("./features/traces/TracePage"));
const SimulationPage = lazy(() => import("./features/simulations/SimulationPage"));
const OverviewPage = lazy(() => import("./features/overview/OverviewPage"));
const AlertsPage = lazy(() => import("./features/alerts/AlertsPage"));
const ModelsPage = lazy(() => import("./features/models/ModelsPage"));
const ModelPage = lazy(() => import("./features/models/ModelPage"));
const ModelVersionPage = lazy(() => import("./features/models/ModelVersionPage"));
const LoggedModelsPage = lazy(() => import("./features/loggedModels/LoggedModelsPage"));
const LoggedModelPage = lazy(() => import("./features/loggedModels/LoggedModelPage"));
const PromptsPage = lazy(() => import("./features/prompts/PromptsPage"));
const PromptPage = lazy(() => import("./features/prompts/PromptPage"));
const SessionsPage = lazy(() => import("./features/traces/SessionsPage"));
const SessionPage = lazy(() => import("./features/traces/SessionPage"));
// Evaluations and datasets: one chunk each, loaded when opened.
const EvaluationsPage = lazy(() => import("./features/evaluations/EvaluationsPage"));
const EvaluationPage = lazy(() => import("./features/evaluations/EvaluationPage"));
const EvaluationComparePage = lazy(() => import("./features/evaluations/EvaluationComparePage"));
const JudgesPage = lazy(() => import("./features/judges/JudgesPage"));
const JudgeBuilderPage = lazy(() => import("./features/judges/JudgeBuilderPage"));
// Human review: the queues, one queue, and the focused review page.
const ReviewQueuesPage = lazy(() => import("./features/review/QueuesPage"));
const ReviewQueuePage = lazy(() => import("./features/review/QueuePage"));
const ReviewWorkPage = lazy(() => import("./features/review/ReviewPage"));
// Issues: failure modes proposed from judges' rationales, and the issues list.
const IssuesPage = lazy(() => import("./features/issues/IssuesPage"));
const DatasetsPage = lazy(() => import("./features/datasets/DatasetsPage"));
const DatasetPage = lazy(() => import("./features/datasets/DatasetPage"));
// The AI gateway's pages: one chunk each.
const GatewayEndpointsPage = lazy(() => import("./features/gateway/EndpointsPage"));
const GatewayEndpointPage = lazy(() => import("./features/gateway/EndpointPage"));
const GatewayUsagePage = lazy(() => import("./features/gateway/UsagePage"));
const GatewayKeysPage = lazy(() => import("./features/gateway/KeysPage"));
const GatewayBudgetsPage = lazy(() => import("./features/gateway/BudgetsPage"));
const GatewayPlaygroundPage = lazy(() => import("./features/gateway/PlaygroundPage"));
const LoginPage = lazy(() => import("./features/auth/LoginPage"));
const TokensPage = lazy(() => import("./features/auth/TokensPage"));
const PasswordPage = lazy(() => import("./features/auth/PasswordPage"));
// The admin pages: one chunk each, loaded only by the admins who open them.
const AdminUsersPage = lazy(() => import("./features/admin/UsersPage"));
const AdminServiceAccountsPage = lazy(() => import("./features/admin/ServiceAccountsPage"));
const AdminRolesPage = lazy(() => import("./features/admin/RolesPage"));
const AdminWorkspacesPage = lazy(() => import("./features/admin/WorkspacesPage"));
const AdminAuditPage = lazy(() => import("./features/admin/AuditPage"));

function NotFound() {
  return (
    <p>
      Nothing here. <Link to={experimentsPath()}>Back to the experiments</Link>
    </p>
  );
}

/** Every client-side route; each URL carries its state (filters, order, selection). */
export function AppRoutes() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <Routes>
        <Route path={ROUTES.experiments} element={<ExperimentsPage />} />
        <Route path={ROUTES.runs} element={<RunsPage />} />
        <Route path={ROUTES.run} element={<RunPage />} />
        <Route path={ROUTES.compare} element={<ComparePage />} />
        <Route path={ROUTES.traces} element={<TracesPage />} />
        <Route path={ROUTES.trace} element={<TracePage />} />
        <Route path={ROUTES.sessions} element={<SessionsPage />} />
        <Route path={ROUTES.session} element={<SessionPage />} />
        <Route path={ROUTES.overview} element={<OverviewPage />} />
        <Route path={ROUTES.alerts} element={<AlertsPage />} />
        <Route path={ROUTES.evaluations} element={<EvaluationsPage />} />
        <Route path={ROUTES.evaluationCompare} element={<EvaluationComparePage />} />
        <Route path={ROUTES.evaluation} element={<EvaluationPage />} />
        <Route path={ROUTES.simulation} element={<SimulationPage />} />
        <Route path={ROUTES.judges} element={<JudgesPage />} />
        <Route path={ROUTES.judgeBuilder} element={<JudgeBuilderPage />} />
        <Route path={ROUTES.reviewQueues} element={<ReviewQueuesPage />} />
        <Route path={ROUTES.reviewQueue} element={<ReviewQueuePage />} />
        <Route path={ROUTES.reviewWork} element={<ReviewWorkPage />} />
        <Route path={ROUTES.issues} element={<IssuesPage />} />
        <Route path={ROUTES.datasets} element={<DatasetsPage />} />
        <Route path={ROUTES.dataset} element={<DatasetPage />} />
        <Route path={ROUTES.models} element={<ModelsPage />} />
        <Route path={ROUTES.model} element={<ModelPage />} />
        <Route path={ROUTES.modelVersion} element={<ModelVersionPage />} />
        <Route path={ROUTES.loggedModels} element={<LoggedModelsPage />} />
        <Route path={ROUTES.loggedModel} element={<LoggedModelPage />} />
        <Route path={ROUTES.prompts} element={<PromptsPage />} />
        <Route path={ROUTES.prompt} element={<PromptPage />} />
        <Route path={ROUTES.gateway} element={<GatewayEndpointsPage />} />
        <Route path={ROUTES.gatewayEndpoint} element={<GatewayEndpointPage />} />
        <Route path={ROUTES.gatewayUsage} element={<GatewayUsagePage />} />
        <Route path={ROUTES.gatewayKeys} element={<GatewayKeysPage />} />
        <Route path={ROUTES.gatewayBudgets} element={<GatewayBudgetsPage />} />
        <Route path={ROUTES.gatewayPlayground} element={<GatewayPlaygroundPage />} />
        <Route path={ROUTES.login} element={<LoginPage />} />
        <Route path={ROUTES.tokens} element={<TokensPage />} />
        <Route path={ROUTES.password} element={<PasswordPage />} />
        <Route path={ROUTES.adminUsers} element={<AdminUsersPage />} />
        <Route path={ROUTES.adminServiceAccounts} element={<AdminServiceAccountsPage />} />
        <Route path={ROUTES.adminRoles} element={<AdminRolesPage />} />
        <Route path={ROUTES.adminWorkspaces} element={<AdminWorkspacesPage />} />
        <Route path={ROUTES.adminAudit} element={<AdminAuditPage />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Suspense>
  );
}
