import { describe, expect, it } from "vitest";
import { run as wireRun } from "@ardea/test/wire";
import { datasetRows, filterLiteral } from "./runExtras";

describe("datasetRows", () => {
  it("reads name, digest, source type and context", () => {
    const run = wireRun({ run_id: "r" });
    run.inputs.dataset_inputs = [
      { tags: [{ key: "mlflow.data.context", value: "train" }], dataset: { name: "iris", digest: "abc", source_type: "local", source: "{}" } },
      { tags: [], dataset: { name: "x", digest: "d", source_type: "", source: "" } },
    ];
    expect(datasetRows(run)).toEqual([
      { name: "iris", digest: "abc", sourceType: "local", context: "train" },
      { name: "x", digest: "d", sourceType: "", context: "" },
    ]);
    expect(datasetRows(undefined)).toEqual([]);
  });
});

describe("filterLiteral", () => {
  it("quotes and escapes", () => {
    expect(filterLiteral("abc")).toBe("'abc'");
    expect(filterLiteral("a'b")).toBe("'a\\'b'");
  });
});
