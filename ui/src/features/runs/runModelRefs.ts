// The logged models a run names: the ones it logged (outputs, with their step) and used (inputs).
import type { Run } from "@ardea/api/types";

/** At most this many models are listed on a run page (each is fetched). */
export const RUN_MODELS_LIMIT = 50;

/** One logged model of a run and how the run relates to it. */
export interface RunModelRef {
  modelId: string;
  how: string;
}

/** The run's logged models, outputs first, each once ("logged (step 3); used"). */
export function runModelRefs(run: Run): RunModelRef[] {
  const how = new Map<string, string[]>();
  const add = (id: string, text: string) => how.set(id, [...(how.get(id) ?? []), text]);
  for (const o of run.outputs?.model_outputs ?? []) add(o.model_id, Number(o.step) ? `logged (step ${o.step})` : "logged");
  for (const i of run.inputs?.model_inputs ?? []) add(i.model_id, "used");
  return [...how].slice(0, RUN_MODELS_LIMIT).map(([modelId, list]) => ({ modelId, how: list.join("; ") }));
}
