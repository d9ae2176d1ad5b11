import { Link } from "react-router";
import { useLoggedModel } from "@ardea/api/queries/loggedModels";
import { loggedModelPath } from "@ardea/lib/paths";

/** A link to a logged model's page by id (its experiment is read from the model); the id when unknown. */
export function LoggedModelLink({ modelId }: { modelId: string }) {
  const model = useLoggedModel(modelId);
  if (!model.data) return <span title={model.error ? "Logged model not found" : undefined}>{modelId}</span>;
  const { experiment_id, name } = model.data.info;
  return <Link to={loggedModelPath(experiment_id, modelId)}>{name ? `${name} (${modelId})` : modelId}</Link>;
}
