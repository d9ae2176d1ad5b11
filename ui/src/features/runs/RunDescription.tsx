import { DescriptionEditor } from "@ardea/components/markdown/DescriptionEditor";
import { useSetDescription } from "./runExtras";

/**
 * The run's description rendered as Markdown (no raw HTML), with an Edit button: a text box
 * with a Preview/Edit toggle that saves `mlflow.note.content`.
 */
export function RunDescription({ runId, note }: { runId: string; note: string }) {
  const save = useSetDescription(runId);
  return <DescriptionEditor text={note} save={save} testId="run-description" />;
}
