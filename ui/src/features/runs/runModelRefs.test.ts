import { describe, expect, it } from "vitest";
import { run } from "@ardea/test/wire";
import { runModelRefs } from "./runModelRefs";

describe("runModelRefs", () => {
  it("lists the models a run logged and used, each once", () => {
    const r = run({});
    r.outputs = { model_outputs: [{ model_id: "m-a", step: 0 }, { model_id: "m-b", step: 3 }] };
    r.inputs = { dataset_inputs: [], model_inputs: [{ model_id: "m-b" }, { model_id: "m-c" }] };
    expect(runModelRefs(r)).toEqual([
      { modelId: "m-a", how: "logged" },
      { modelId: "m-b", how: "logged (step 3); used" },
      { modelId: "m-c", how: "used" },
    ]);
  });
});
