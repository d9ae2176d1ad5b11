import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt, type FakeRoute } from "@ardea/test/render";
import { ModelDetails } from "./ModelDetails";

afterEach(() => vi.unstubAllGlobals());

const MLMODEL = `flavors:
  python_function:
    loader_module: mlflow.pyfunc.model
    python_model: python_model.pkl
    python_version: 3.11.7
saved_input_example_info:
  artifact_path: input_example.json
  pandas_orient: split
  type: dataframe
signature:
  inputs: '[{"type": "string", "name": "<img src=x onerror=alert(1)>", "required": true}, {"type": "long", "name": "n", "required": false}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: null
`;

const DIR = "GET /ajax-api/2.0/mlflow/logged-models/m-1/artifacts/directories";
const FILE = "GET /ajax-api/2.0/mlflow/logged-models/m-1/artifacts/files";

function model(files: Record<string, string>): Record<string, FakeRoute> {
  return {
    [DIR]: (_b, url) => ({
      json: url.searchParams.get("artifact_directory_path")
        ? { files: [] }
        : { files: [...Object.entries(files).map(([path, text]) => ({ path, is_dir: false, file_size: text.length })), { path: "code", is_dir: true }] },
    }),
    [FILE]: (_b, url) => {
      const text = files[url.searchParams.get("artifact_file_path") ?? ""];
      return text === undefined ? { status: 404, json: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "no such file" } } : { text };
    },
  };
}

function show() {
  const uris = [
    { uri: "models:/m-1", label: "model ID" },
    { uri: "runs:/r9/my clf", label: "source run" },
  ];
  renderAt(
    <ModelDetails source={{ kind: "loggedModel", modelId: "m-1" }} uris={uris} name="My Clf" filesLabel="Model files" filesEmpty="No files." />,
    "/m",
    "/m",
  );
}

describe("ModelDetails", () => {
  it("shows the signature, example, flavours, requirements, files and serve commands of a pickled model", async () => {
    const calls = fakeFetch(
      model({
        MLmodel: MLMODEL,
        "input_example.json": '{"columns": ["<img src=x onerror=alert(1)>", "n"], "data": [["a", 1], ["b", 2]]}',
        "requirements.txt": "cloudpickle==3.1.3\n\nnumpy==2.4.6\n",
        "python_model.pkl": "x".repeat(2048),
      }),
    );
    show();
    const inputs = await screen.findByRole("table", { name: "Signature inputs" });
    const rows = within(inputs).getAllByRole("row");
    expect(rows[1]).toHaveTextContent("<img src=x onerror=alert(1)>stringyes");
    expect(rows[2]).toHaveTextContent("nlongno");
    expect(document.querySelector("img")).toBeNull();
    expect(screen.getByRole("table", { name: "Signature outputs" })).toHaveTextContent("tensor int64 (-1)");
    expect(screen.getByText("Params: none.")).toBeInTheDocument();
    const example = await screen.findByRole("table", { name: "Input example" });
    expect(within(example).getAllByRole("row")[2]).toHaveTextContent("b2");
    expect(screen.getByRole("table", { name: "Flavours" })).toHaveTextContent("python_modelpython_model.pkl");
    const reqs = await screen.findByRole("list", { name: "Requirements" });
    expect(within(reqs).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["cloudpickle==3.1.3", "numpy==2.4.6"]);

    expect(screen.getByTestId("pickle-note")).toHaveTextContent("python_model.pkl");
    const serve = screen.getByLabelText("Serve");
    expect(serve).toHaveTextContent("ardea models serve -m models:/m-1 --port 5001 --allow-pickle");
    expect(screen.getByLabelText("Score (with the input example)")).toHaveTextContent(`"dataframe_split":{"columns":["<img src=x onerror=alert(1)>","n"]`);
    expect(screen.getByLabelText("Kubernetes manifests")).toHaveTextContent("--name my-clf --allow-pickle");
    fireEvent.change(screen.getByRole("combobox"), { target: { value: "runs:/r9/my clf" } });
    expect(screen.getByLabelText("Batch predict")).toHaveTextContent("ardea models predict -m 'runs:/r9/my clf' -i input.parquet");

    const tree = screen.getByRole("navigation", { name: "Model files" });
    expect(await within(tree).findByText("2.0 KiB")).toBeInTheDocument();
    expect(within(tree).getByRole("button", { name: "MLmodel" })).toBeInTheDocument();
    // Only files the listing shows are fetched: nothing 404s.
    const fetched = calls.filter((c) => c.key === FILE);
    expect(fetched).toHaveLength(3);
  });

  it("says none, without an error, for a directory that is not a model", async () => {
    fakeFetch(model({ "notes.txt": "hello" }));
    show();
    expect(await screen.findAllByText("None: this is not a model directory (no MLmodel file).")).toHaveLength(4);
    expect(screen.getByText("No requirements.txt.")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says none for a model without a signature or example, and serves it without --allow-pickle", async () => {
    fakeFetch(model({ MLmodel: "flavors:\n  sklearn:\n    serialization_format: skops\n    pickled_model: model.skops\n" }));
    show();
    expect(await screen.findByText("No signature.")).toBeInTheDocument();
    expect(screen.getByText("No input example.")).toBeInTheDocument();
    expect(screen.getByLabelText("Serve")).toHaveTextContent(/^ardea models serve -m models:\/m-1 --port 5001$/);
    expect(screen.queryByLabelText("Score (with the input example)")).toBeNull();
    expect(screen.queryByTestId("pickle-note")).toBeNull();
  });

  it("says the example is missing when the manifest names a file that is not there", async () => {
    fakeFetch(model({ MLmodel: MLMODEL }));
    show();
    expect(await screen.findByText("No input example (input_example.json is missing).")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
