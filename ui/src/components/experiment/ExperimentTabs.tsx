import { NavLink } from "react-router";

/** The "Runs | Traces" tabs of an experiment. */
export function ExperimentTabs({ experimentId }: { experimentId: string }) {
  const base = `/experiments/${encodeURIComponent(experimentId)}`;
  const cls = ({ isActive }: { isActive: boolean }) => (isActive ? "active" : "");
  return (
    <nav className="tabs" aria-label="Experiment views">
      <NavLink to={base} end className={cls}>
        Runs
      </NavLink>
      <NavLink to={`${base}/traces`} className={cls}>
        Traces
      </NavLink>
    </nav>
  );
}
