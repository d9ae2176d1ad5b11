import { Link } from "react-router";
import { useLoggedModelsById } from "@ardea/api/queries/loggedModels";
import type { Run } from "@ardea/api/types";
import { loggedModelStatus } from "@ardea/components/models/modelStatus";
import { formatTime } from "@ardea/lib/format";
import { loggedModelPath } from "@ardea/lib/paths";
import { runModelRefs } from "./runModelRefs";

/** The logged models a run logged (its outputs) and used (its model inputs), with links. */
export function RunModels({ run }: { run: Run }) {
  const refs = runModelRefs(run);
  const models = useLoggedModelsById(refs.map((r) => r.modelId));
  if (refs.length === 0) return <p className="muted">None.</p>;
  return (
    <table className="plain" aria-label="Logged models">
      <thead>
        <tr>
          <th>Model</th>
          <th>How</th>
          <th>Status</th>
          <th>Created</th>
        </tr>
      </thead>
      <tbody>
        {refs.map((ref, i) => {
          const m = models[i]?.data;
          const status = loggedModelStatus(m?.info.status);
          return (
            <tr key={ref.modelId}>
              <td>
                <Link to={loggedModelPath(m?.info.experiment_id ?? run.info.experiment_id, ref.modelId)}>{m?.info.name || ref.modelId}</Link>
              </td>
              <td>{ref.how}</td>
              <td className={m ? status.className : "muted"}>{m ? status.label : models[i]?.error ? "not found" : "…"}</td>
              <td>{m ? formatTime(m.info.creation_timestamp_ms) : ""}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
