import { DescriptionEditor } from "@ardea/components/markdown/DescriptionEditor";
import { useCan } from "@ardea/hooks/useCan";
import { useSetDescription } from "./runExtras";

/**
 * The run's description rendered as Markdown (no raw HTML), with an Edit button: a text box
 * with a Preview/Edit toggle that saves `mlflow.note.content`.
 */
export function RunDescription({ runId, experimentId, note }: { runId: string; experimentId: string; note: string }) {
  const save = useSetDescription(runId);
  const can = useCan("experiment", experimentId);
  return <DescriptionEditor text={note} save={save} testId="run-description" denied={can.why("EDIT", "edit its runs")} />;
}
