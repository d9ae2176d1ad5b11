import { describe, expect, it } from "vitest";
import type { Run } from "@ardea/api/types";
import { datasetRows, filterLiteral } from "./runExtras";

describe("datasetRows", () => {
  it("reads name, digest, source type and context", () => {
    const run = {
      info: { run_id: "r", experiment_id: "0" },
      data: {},
      inputs: {
        dataset_inputs: [
          { tags: [{ key: "mlflow.data.context", value: "train" }], dataset: { name: "iris", digest: "abc", source_type: "local" } },
          { dataset: { name: "x" } },
        ],
      },
    } as unknown as Run;
    expect(datasetRows(run)).toEqual([
      { name: "iris", digest: "abc", sourceType: "local", context: "train" },
      { name: "x", digest: "", sourceType: "", context: "" },
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
