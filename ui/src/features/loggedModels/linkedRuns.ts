// The runs a logged model page lists: from the server's lookup (source, output and input runs)
// and the runs its metrics were logged in, one row per run.
import type { LoggedModel, LoggedModelRun } from "@ardea/api/types";

/** One run of the list and how it relates to the model. */
export interface LinkedRun {
  runId: string;
  how: string;
}

/** The model's runs, one row per run with every relation named ("logged it at step 3; used it"). */
export function linkedRuns(model: LoggedModel | undefined, links: readonly LoggedModelRun[]): LinkedRun[] {
  const how = new Map<string, string[]>();
  const add = (runId: string, text: string) => {
    const list = how.get(runId) ?? [];
    if (!list.includes(text)) list.push(text);
    how.set(runId, list);
  };
  for (const l of links) {
    if (l.relation === "source") add(l.run_id, "source run");
    else if (l.relation === "output") add(l.run_id, l.step ? `logged it (step ${l.step})` : "logged it");
    else add(l.run_id, "used it as an input");
  }
  for (const m of model?.data.metrics ?? []) if (m.run_id) add(m.run_id, "logged its metrics");
  return [...how].map(([runId, list]) => ({ runId, how: list.join("; ") }));
}
