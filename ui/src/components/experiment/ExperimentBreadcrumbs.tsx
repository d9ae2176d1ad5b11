import { Children, type ReactNode } from "react";
import { Link } from "react-router";
import { useExperiment } from "@ardea/api/queries/experiments";
import { experimentsPath, runsPath } from "@ardea/lib/paths";

/**
 * "Experiments / <experiment name> / ...": the breadcrumbs of every page inside an experiment.
 * The experiment is named (its id until it loads) and links to its runs when `children` (the
 * rest of the trail: links, then the current page as text) follow it.
 */
export function ExperimentBreadcrumbs({ experimentId, children }: { experimentId: string; children?: ReactNode }) {
  const experiment = useExperiment(experimentId);
  const name = experiment.data?.name ?? experimentId;
  const trail = Children.toArray(children);
  return (
    <nav className="breadcrumbs" aria-label="Breadcrumbs">
      <Link to={experimentsPath()}>Experiments</Link>
      {trail.length ? <Link to={runsPath(experimentId)}>{name}</Link> : <span>{name}</span>}
      {trail}
    </nav>
  );
}
