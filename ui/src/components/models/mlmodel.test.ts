import { describe, expect, it } from "vitest";
import { exampleView, invocationBody, parseMLmodel, pickleReason, typeOf } from "./mlmodel";

// As `ardea.sklearn.save_model` writes it (default skops format, a dataframe example).
const SKLEARN = `ardea_version: 0.1.0
flavors:
  python_function:
    code: null
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.skops
    predict_fn: predict
    python_version: 3.11.7
  sklearn:
    code: null
    pickled_model: model.skops
    serialization_format: skops
    sklearn_version: 1.9.1
    skops_trusted_types: null
mlflow_version: 3.18.0
saved_input_example_info:
  artifact_path: input_example.json
  pandas_orient: split
  serving_input_path: serving_input_example.json
  type: dataframe
signature:
  inputs: '[{"type": "double", "name": "amount", "required": true}, {"type": "long",
    "name": "country", "required": true}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: null
utc_time_created: '2026-12-07 15:22:15.969275'
`;

// As `ardea.pyfunc.save_model` writes a function model (a cloudpickled python_model.pkl).
const PYFUNC = `flavors:
  python_function:
    cloudpickle_version: 3.1.3
    loader_module: mlflow.pyfunc.model
    python_model: python_model.pkl
    python_version: 3.11.7
    streamable: false
saved_input_example_info:
  artifact_path: input_example.json
  serving_input_path: serving_input_example.json
  type: json_object
signature:
  inputs: '[{"type": "string", "required": true}]'
  outputs: '[{"type": "string", "required": false}]'
  params: '[{"name": "temperature", "type": "double", "default": 0.5, "shape": null}]'
`;

describe("parseMLmodel", () => {
  it("reads the signature's JSON strings, the example info and the flavours' key facts", () => {
    const m = parseMLmodel(SKLEARN);
    expect(m.signature?.inputs).toEqual([
      { name: "amount", type: "double", required: true },
      { name: "country", type: "long", required: true },
    ]);
    expect(m.signature?.outputs).toEqual([{ name: "", type: "tensor int64 (-1)", required: true }]);
    expect(m.signature?.params).toBeNull();
    expect(m.example).toEqual({ path: "input_example.json", type: "dataframe", orient: "split" });
    expect(m.flavors.map((f) => f.name)).toEqual(["python_function", "sklearn"]);
    expect(m.flavors[1]!.facts).toEqual([
      ["serialization_format", "skops"],
      ["pickled_model", "model.skops"],
      ["sklearn_version", "1.9.1"],
    ]);
    expect(m.flavors[0]!.facts).toContainEqual(["loader_module", "mlflow.sklearn"]);
    expect(m.flavors[0]!.facts).toContainEqual(["python_version", "3.11.7"]);
    expect(m.pickle).toBeNull();
    expect(m.created).toBe("2026-12-07 15:22:15.969275");
  });

  it("reads params and optional columns, and flags a pickled python model", () => {
    const m = parseMLmodel(PYFUNC);
    expect(m.signature?.outputs).toEqual([{ name: "", type: "string", required: false }]);
    expect(m.signature?.params).toEqual([{ name: "temperature", type: "double", default: "0.5", shape: "" }]);
    expect(m.pickle).toBe("its python_function model is a pickle (python_model.pkl)");
  });

  it("has no signature or example when the manifest has none, and rejects non-mappings", () => {
    const m = parseMLmodel("flavors:\n  xgboost:\n    data: model.ubj\n    xgb_version: 3.1.0\n");
    expect(m.signature).toBeNull();
    expect(m.example).toBeNull();
    expect(m.flavors).toEqual([{ name: "xgboost", facts: [["data", "model.ubj"], ["xgb_version", "3.1.0"]] }]);
    expect(parseMLmodel("signature:\n  inputs: 'not json'\n").signature).toBeNull();
    expect(() => parseMLmodel("- a\n- b\n")).toThrow("not a YAML mapping");
    expect(() => parseMLmodel("a: [unclosed\n")).toThrow();
  });
});

describe("typeOf", () => {
  it("spells out nested and tensor types", () => {
    expect(typeOf({ type: "array", items: { type: "string" } })).toBe("array<string>");
    expect(typeOf({ type: "map", values: { type: "long" } })).toBe("map<string, long>");
    expect(typeOf({ type: "object", properties: { a: { type: "double" }, b: { type: "array", items: { type: "long" } } } })).toBe(
      "object{a: double, b: array<long>}",
    );
    expect(typeOf({ type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, 4] } })).toBe("tensor float32 (-1, 4)");
  });
});

describe("pickleReason", () => {
  it("names pickle formats and extra skops types, not plain skops or native files", () => {
    expect(pickleReason({ sklearn: { serialization_format: "cloudpickle" } })).toBe("its sklearn model is saved with cloudpickle");
    expect(pickleReason({ lightgbm: { serialization_format: "pickle" } })).toBe("its lightgbm model is saved with pickle");
    expect(pickleReason({ sklearn: { serialization_format: "skops", skops_trusted_types: ["x.Y"] } })).toBe(
      "its sklearn model lists extra skops_trusted_types",
    );
    expect(pickleReason({ sklearn: { serialization_format: "skops", skops_trusted_types: null } })).toBeNull();
    expect(pickleReason({ xgboost: { data: "model.ubj" }, python_function: { loader_module: "mlflow.xgboost" } })).toBeNull();
  });
});

describe("exampleView and invocationBody", () => {
  const split = { path: "input_example.json", type: "dataframe", orient: "split" };
  it("shows a split dataframe as a table and posts it as dataframe_split", () => {
    const text = '{"columns": ["amount", "country"], "data": [[10.0, 1], [250.0, 2]]}';
    expect(exampleView(text, split)).toEqual({ kind: "table", columns: ["amount", "country"], rows: [["10", "1"], ["250", "2"]] });
    expect(invocationBody(text, split)).toEqual({ dataframe_split: { columns: ["amount", "country"], data: [[10, 1], [250, 2]] } });
  });

  it("shows records as a table with the union of their keys", () => {
    const info = { path: "input_example.json", type: "dataframe", orient: "records" };
    const text = '[{"a": 1, "b": "x"}, {"a": 2, "c": null}]';
    expect(exampleView(text, info)).toEqual({ kind: "table", columns: ["a", "b", "c"], rows: [["1", "x", ""], ["2", "", "null"]] });
    expect(invocationBody(text, info)).toEqual({ dataframe_records: [{ a: 1, b: "x" }, { a: 2, c: null }] });
  });

  it("shows anything else as JSON and posts it as inputs", () => {
    const info = { path: "input_example.json", type: "json_object", orient: "" };
    expect(exampleView('["hi"]', info)).toEqual({ kind: "json", text: '[\n  "hi"\n]' });
    expect(invocationBody('["hi"]', info)).toEqual({ inputs: ["hi"] });
    expect(exampleView("not json", info)).toEqual({ kind: "json", text: "not json" });
    expect(invocationBody("not json", info)).toBeNull();
  });
});
