// Which registry tags of a prompt are the user's (the prompt registry's own are hidden).

/** Whether a tag key is the user's, not one the prompt registry keeps for itself. */
export function isUserTag(key: string): boolean {
  return !(key.startsWith("mlflow.prompt.") || key.startsWith("_mlflow_") || key === "mlflow.prompt.text");
}
