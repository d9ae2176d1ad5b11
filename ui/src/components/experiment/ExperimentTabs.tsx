import { NavLink } from "react-router";

/** The "Runs | Traces | Overview" tabs of an experiment. */
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
      <NavLink to={`${base}/overview`} className={cls}>
        Overview
      </NavLink>
      <NavLink to={`${base}/sessions`} className={cls}>
        Sessions
      </NavLink>
    </nav>
  );
}
