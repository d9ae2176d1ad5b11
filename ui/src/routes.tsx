import { lazy, Suspense } from "react";
import { Link, Route, Routes } from "react-router";
import { ExperimentsPage } from "./features/experiments";

// The runs feature (table, run page, charts) loads on demand to keep the first page small.
const RunsPage = lazy(() => import("./features/runs/RunsPage"));
const RunPage = lazy(() => import("./features/runs/RunPage"));
const ComparePage = lazy(() => import("./features/runs/ComparePage"));
const TracesPage = lazy(() => import("./features/traces/TracesPage"));
const TracePage = lazy(() => import("./features/traces/TracePage"));
const OverviewPage = lazy(() => import("./features/overview/OverviewPage"));
const ModelsPage = lazy(() => import("./features/models/ModelsPage"));
const ModelPage = lazy(() => import("./features/models/ModelPage"));
const PromptsPage = lazy(() => import("./features/prompts/PromptsPage"));
const PromptPage = lazy(() => import("./features/prompts/PromptPage"));
const SessionsPage = lazy(() => import("./features/traces/SessionsPage"));
const SessionPage = lazy(() => import("./features/traces/SessionPage"));

function NotFound() {
  return (
    <p>
      Nothing here. <Link to="/">Back to the experiments</Link>
    </p>
  );
}

/** Every client-side route; each URL carries its state (filters, order, selection). */
export function AppRoutes() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <Routes>
        <Route path="/" element={<ExperimentsPage />} />
        <Route path="/experiments/:experimentId" element={<RunsPage />} />
        <Route path="/experiments/:experimentId/runs/:runId" element={<RunPage />} />
        <Route path="/experiments/:experimentId/compare" element={<ComparePage />} />
        <Route path="/experiments/:experimentId/traces" element={<TracesPage />} />
        <Route path="/experiments/:experimentId/traces/:traceId" element={<TracePage />} />
        <Route path="/experiments/:experimentId/sessions" element={<SessionsPage />} />
        <Route path="/experiments/:experimentId/sessions/:sessionId" element={<SessionPage />} />
        <Route path="/experiments/:experimentId/overview" element={<OverviewPage />} />
        <Route path="/models" element={<ModelsPage />} />
        <Route path="/models/:name" element={<ModelPage />} />
        <Route path="/prompts" element={<PromptsPage />} />
        <Route path="/prompts/:name" element={<PromptPage />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Suspense>
  );
}
