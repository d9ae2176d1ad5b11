import { describe, expect, it } from "vitest";
import type { LoggedModel } from "@ardea/api/types";
import { linkedRuns } from "./linkedRuns";

const model = (metricRuns: string[]): LoggedModel => ({
  info: {
    model_id: "m-1",
    experiment_id: "1",
    name: "model",
    creation_timestamp_ms: 1,
    last_updated_timestamp_ms: 1,
    artifact_uri: "mlflow-artifacts:/1/models/m-1/artifacts",
    status: "LOGGED_MODEL_READY",
    tags: [],
  },
  data: { params: [], metrics: metricRuns.map((run_id) => ({ key: "acc", value: 1, timestamp: 1, step: 0, run_id })) },
});

describe("linkedRuns", () => {
  it("gives one row per run with each relation once", () => {
    const rows = linkedRuns(model(["r1", "r3", "r3"]), [
      { run_id: "r1", relation: "source" },
      { run_id: "r1", relation: "output", step: 3 },
      { run_id: "r2", relation: "input" },
    ]);
    expect(rows).toEqual([
      { runId: "r1", how: "source run; logged it (step 3); logged its metrics" },
      { runId: "r2", how: "used it as an input" },
      { runId: "r3", how: "logged its metrics" },
    ]);
    expect(linkedRuns(undefined, [])).toEqual([]);
  });
});
