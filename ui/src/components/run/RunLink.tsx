import { Link } from "react-router";
import { useRun } from "@ardea/api/queries/runs";
import { runPath } from "@ardea/lib/paths";

/** A link to a run's page by id (its experiment is read from the run); the id when unknown. */
export function RunLink({ runId }: { runId: string }) {
  const run = useRun(runId);
  if (!run.data) return <span title={run.error ? "Run not found" : undefined}>{runId}</span>;
  const { experiment_id, run_name } = run.data.info;
  return (
    <Link to={runPath(experiment_id, runId)}>{run_name || runId}</Link>
  );
}
