// The `MLmodel` manifest of a model directory (MLflow's format, docs/models.md), parsed for
// display: signature, input example, flavours and whether serving it needs the pickle opt-in.
// Everything here comes from a file a user wrote: it is shaped defensively and never trusted.
import { parse } from "yaml";

/** One column (or tensor) of a signature's inputs or outputs. */
export interface SignatureColumn {
  name: string;
  type: string;
  required: boolean;
}

/** One inference parameter of a signature. */
export interface SignatureParam {
  name: string;
  type: string;
  default: string;
  shape: string;
}

/** A model signature; `null` parts are absent from the manifest. */
export interface Signature {
  inputs: SignatureColumn[] | null;
  outputs: SignatureColumn[] | null;
  params: SignatureParam[] | null;
}

/** Where the input example is and how it was written (`saved_input_example_info`). */
export interface ExampleInfo {
  path: string;
  type: string;
  orient: string;
}

/** One flavour and the facts worth showing about it. */
export interface Flavor {
  name: string;
  facts: [string, string][];
}

/** What the UI shows of a manifest. */
export interface ModelManifest {
  flavors: Flavor[];
  signature: Signature | null;
  example: ExampleInfo | null;
  /** Why the model's files are pickles (serving needs `--allow-pickle`), or null. */
  pickle: string | null;
  created: string;
}

type Dict = Record<string, unknown>;

const isDict = (v: unknown): v is Dict => typeof v === "object" && v !== null && !Array.isArray(v);

function text(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/** A readable type for a column spec: `double`, `tensor int64 (-1, 4)`, `array<string>`, ... */
export function typeOf(spec: unknown): string {
  if (typeof spec === "string") return spec;
  if (!isDict(spec)) return "";
  const type = text(spec.type);
  if (type === "tensor" && isDict(spec["tensor-spec"])) {
    const t = spec["tensor-spec"];
    const shape = Array.isArray(t.shape) ? ` (${t.shape.map(text).join(", ")})` : "";
    return `tensor ${text(t.dtype)}${shape}`;
  }
  if (type === "array") return `array<${typeOf(spec.items)}>`;
  if (type === "map") return `map<string, ${typeOf(spec.values)}>`;
  if (type === "object" && isDict(spec.properties)) {
    const props = Object.entries(spec.properties).map(([k, p]) => `${k}: ${typeOf(p)}`);
    return `object{${props.join(", ")}}`;
  }
  return type;
}

/** A signature part: MLflow stores it as a JSON string; a list is accepted too. */
function specList(raw: unknown): unknown[] | null {
  if (raw === null || raw === undefined || raw === "") return null;
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  return Array.isArray(value) ? value : null;
}

function columns(raw: unknown): SignatureColumn[] | null {
  const list = specList(raw);
  return list
    ? list.map((c) => ({
        name: isDict(c) ? text(c.name) : "",
        type: typeOf(c),
        required: !(isDict(c) && c.required === false),
      }))
    : null;
}

function params(raw: unknown): SignatureParam[] | null {
  const list = specList(raw);
  return list
    ? list.filter(isDict).map((p) => ({
        name: text(p.name),
        type: text(p.type),
        default: p.default === undefined ? "" : JSON.stringify(p.default),
        shape: p.shape === null || p.shape === undefined ? "" : JSON.stringify(p.shape),
      }))
    : null;
}

function signature(raw: unknown): Signature | null {
  if (!isDict(raw)) return null;
  const sig = { inputs: columns(raw.inputs), outputs: columns(raw.outputs), params: params(raw.params) };
  return sig.inputs || sig.outputs || sig.params ? sig : null;
}

/** Flavour keys shown, in this order (besides any `*_version`). */
const FACT_KEYS = [
  "loader_module",
  "serialization_format",
  "model_class",
  "model_format",
  "loader",
  "pickled_model",
  "model_path",
  "python_model",
  "data",
  "model_data",
  "predict_fn",
  "streamable",
];

function flavor(name: string, conf: unknown): Flavor {
  const c = isDict(conf) ? conf : {};
  const keys = [...FACT_KEYS, ...Object.keys(c).filter((k) => k.endsWith("_version")).sort()];
  const facts = keys.filter((k) => c[k] !== null && c[k] !== undefined && c[k] !== "").map((k): [string, string] => [k, text(c[k])]);
  return { name, facts };
}

const PICKLE_FORMATS = new Set(["cloudpickle", "pickle"]);

/** Why loading this model unpickles a file (docs/models.md "Pickle files and trust"), or null. */
export function pickleReason(flavors: Dict): string | null {
  const pyfunc = isDict(flavors.python_function) ? flavors.python_function : {};
  if (pyfunc.python_model) return `its python_function model is a pickle (${text(pyfunc.python_model)})`;
  for (const [name, conf] of Object.entries(flavors)) {
    if (!isDict(conf)) continue;
    const fmt = text(conf.serialization_format);
    if (PICKLE_FORMATS.has(fmt)) return `its ${name} model is saved with ${fmt}`;
    const extra = conf.skops_trusted_types;
    if (fmt === "skops" && Array.isArray(extra) && extra.length) return `its ${name} model lists extra skops_trusted_types`;
  }
  return null;
}

function example(raw: unknown): ExampleInfo | null {
  if (!isDict(raw) || !raw.artifact_path) return null;
  return { path: text(raw.artifact_path), type: text(raw.type), orient: text(raw.pandas_orient) };
}

/** Parse an `MLmodel` file; throws on text that is not a YAML mapping. */
export function parseMLmodel(source: string): ModelManifest {
  const doc: unknown = parse(source);
  if (!isDict(doc)) throw new Error("The MLmodel file is not a YAML mapping.");
  const flavors = isDict(doc.flavors) ? doc.flavors : {};
  return {
    flavors: Object.entries(flavors).map(([name, conf]) => flavor(name, conf)),
    signature: signature(doc.signature),
    example: example(doc.saved_input_example_info),
    pickle: pickleReason(flavors),
    created: text(doc.utc_time_created),
  };
}

/** An input example as a table (`dataframe` examples) or as JSON. */
export type ExampleView = { kind: "table"; columns: string[]; rows: string[][] } | { kind: "json"; text: string };

const cell = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v) ?? "");

/** How to show the example file's text, given how it was written. */
export function exampleView(source: string, info: ExampleInfo | null): ExampleView {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    return { kind: "json", text: source };
  }
  if (isDict(value) && Array.isArray(value.columns) && Array.isArray(value.data) && info?.type !== "json_object") {
    const cols = value.columns.map(cell);
    return { kind: "table", columns: cols, rows: value.data.map((r) => (Array.isArray(r) ? r.map(cell) : [cell(r)])) };
  }
  if (Array.isArray(value) && value.length && value.every(isDict) && (info?.type === "dataframe" || info?.orient === "records")) {
    const cols = [...new Set(value.flatMap((r) => Object.keys(r)))];
    return { kind: "table", columns: cols, rows: value.map((r) => cols.map((c) => (c in r ? cell(r[c]) : ""))) };
  }
  return { kind: "json", text: JSON.stringify(value, null, 2) };
}

/**
 * The JSON body of a `/invocations` request built from the example: `dataframe_split` for
 * dataframes, `dataframe_records` for records, `inputs` for anything else.
 */
export function invocationBody(source: string, info: ExampleInfo | null): unknown {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    return null;
  }
  if (isDict(value) && Array.isArray(value.columns) && Array.isArray(value.data) && info?.type !== "json_object")
    return { dataframe_split: { columns: value.columns, data: value.data } };
  if (Array.isArray(value) && value.every(isDict) && info?.type === "dataframe") return { dataframe_records: value };
  return { inputs: value };
}
