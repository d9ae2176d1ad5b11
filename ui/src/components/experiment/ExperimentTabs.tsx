import { NavLink } from "react-router";
import {
  alertsPath,
  datasetsPath,
  evaluationsPath,
  issuesPath,
  judgesPath,
  loggedModelsPath,
  overviewPath,
  reviewPath,
  runsPath,
  sessionsPath,
  tracesPath,
} from "@ardea/lib/paths";

/** The "Runs | Models | Traces | Evaluations | Judges | Review | Issues | Overview | Alerts | Sessions | Datasets" tabs of an experiment. */
export function ExperimentTabs({ experimentId }: { experimentId: string }) {
  const cls = ({ isActive }: { isActive: boolean }) => (isActive ? "active" : "");
  return (
    <nav className="tabs" aria-label="Experiment views">
      <NavLink to={runsPath(experimentId)} end className={cls}>
        Runs
      </NavLink>
      <NavLink to={loggedModelsPath(experimentId)} className={cls}>
        Models
      </NavLink>
      <NavLink to={tracesPath(experimentId)} className={cls}>
        Traces
      </NavLink>
      <NavLink to={evaluationsPath(experimentId)} className={cls}>
        Evaluations
      </NavLink>
      <NavLink to={judgesPath(experimentId)} className={cls}>
        Judges
      </NavLink>
      <NavLink to={reviewPath.queues(experimentId)} className={cls}>
        Review
      </NavLink>
      <NavLink to={issuesPath(experimentId)} className={cls}>
        Issues
      </NavLink>
      <NavLink to={overviewPath(experimentId)} className={cls}>
        Overview
      </NavLink>
      <NavLink to={alertsPath(experimentId)} className={cls}>
        Alerts
      </NavLink>
      <NavLink to={sessionsPath(experimentId)} className={cls}>
        Sessions
      </NavLink>
      <NavLink to={datasetsPath({ experiment: experimentId })} className={cls}>
        Datasets
      </NavLink>
    </nav>
  );
}
