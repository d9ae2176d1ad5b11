import { useExperiment } from "@ardea/api/queries/experiments";
import { AlertBanner } from "@ardea/components/alerts/AlertBanner";
import { SharingPanel } from "@ardea/components/sharing/SharingPanel";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { ExperimentBreadcrumbs } from "./ExperimentBreadcrumbs";
import { ExperimentTabs } from "./ExperimentTabs";

/**
 * The top of an experiment's pages (runs, models, traces, sessions, overview): breadcrumbs, the
 * experiment's name (its id until it loads), its tabs, a banner while an alert rule fires, why
 * it failed to load, if it did, and (with auth) who has access to it.
 */
export function ExperimentHeader({ experimentId }: { experimentId: string }) {
  const experiment = useExperiment(experimentId);
  const name = experiment.data?.name;
  return (
    <>
      <ExperimentBreadcrumbs experimentId={experimentId} />
      <h1>{name ?? "Experiment"}</h1>
      <ExperimentTabs experimentId={experimentId} />
      <AlertBanner experimentId={experimentId} />
      <ErrorBanner error={experiment.error} />
      {experiment.data ? <SharingPanel resourceType="experiment" id={experimentId} /> : null}
    </>
  );
}
