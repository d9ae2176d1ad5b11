import { describe, expect, it } from "vitest";
import { k8sName, loggedModelUris, serveCommands, shellQuote, versionUris } from "./serveCommands";

describe("shellQuote", () => {
  it("leaves safe words bare and single-quotes the rest", () => {
    expect(shellQuote("models:/fraud@champion")).toBe("models:/fraud@champion");
    expect(shellQuote("models:/my model/1")).toBe("'models:/my model/1'");
    expect(shellQuote(`it's $HOME`)).toBe(`'it'\\''s $HOME'`);
    expect(shellQuote("")).toBe("''");
  });
});

describe("k8sName", () => {
  it("makes a DNS label", () => {
    expect(k8sName("Fraud Classifier_v2")).toBe("fraud-classifier-v2");
    expect(k8sName("--ok--")).toBe("ok");
    expect(k8sName("日本")).toBe("model");
    const long = k8sName(`${"a".repeat(62)}-b`);
    expect(long).toHaveLength(62);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });
});

describe("model URIs", () => {
  it("offers a version and each of its aliases, or a logged model's id and run path", () => {
    expect(versionUris("fraud", "3", ["champion"]).map((u) => u.uri)).toEqual(["models:/fraud/3", "models:/fraud@champion"]);
    expect(loggedModelUris("m-1", "clf", "r9").map((u) => u.uri)).toEqual(["models:/m-1", "runs:/r9/clf"]);
    expect(loggedModelUris("m-1", "clf", null).map((u) => u.uri)).toEqual(["models:/m-1"]);
  });
});

describe("serveCommands", () => {
  const body = { dataframe_split: { columns: ["a"], data: [["it's"]] } };
  it("gives the exact commands, the curl body from the example", () => {
    const cmds = serveCommands({ uri: "models:/fraud/3", name: "Fraud", trackingUri: "http://127.0.0.1:5000", body, pickle: false });
    expect(cmds.map((c) => c.command)).toEqual([
      "export ARDEA_TRACKING_URI=http://127.0.0.1:5000",
      "ardea models serve -m models:/fraud/3 --port 5001",
      `curl -X POST http://127.0.0.1:5001/invocations -H 'Content-Type: application/json' -d '{"dataframe_split":{"columns":["a"],"data":[["it'\\''s"]]}}'`,
      "ardea models predict -m models:/fraud/3 -i input.parquet -o predictions.parquet",
      "ardea models build-docker -m models:/fraud/3 -d ./image",
      "ardea models generate-k8s -m models:/fraud/3 --name fraud",
    ]);
  });

  it("adds --allow-pickle to every command that loads a pickled model, and no curl without an example", () => {
    const cmds = serveCommands({ uri: "models:/m-1", name: "clf", trackingUri: "http://h", body: null, pickle: true });
    expect(cmds.map((c) => c.title)).not.toContain("Score (with the input example)");
    const loading = cmds.filter((c) => c.command.startsWith("ardea "));
    expect(loading).toHaveLength(4);
    for (const c of loading) expect(c.command).toMatch(/ --allow-pickle$/);
  });
});
