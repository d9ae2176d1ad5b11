import { describe, expect, it } from "vitest";
import { isMlflowLink, mapMlflowLink } from "./mlflowLinks";

const hash = (h: string) => mapMlflowLink("/", "", h);
const to = (h: string) => {
  const t = hash(h);
  return t.kind === "page" ? t.to : t;
};

describe("MLflow links", () => {
  it("are told apart from Ardea's own URLs", () => {
    expect(isMlflowLink("/", "#/experiments/1")).toBe(true);
    expect(isMlflowLink("/", "#mlflow/experiments/1/runs/r")).toBe(true);
    expect(isMlflowLink("/static-files/lib/notebook-trace-renderer/index.html", "")).toBe(true);
    expect(isMlflowLink("/experiments/1", "")).toBe(false);
    expect(isMlflowLink("/", "#section")).toBe(false);
  });

  it("map the run and experiment links the client prints after a run", () => {
    // tracking/_tracking_service/client.py `_log_url` (with ?workspace= for a named workspace)
    expect(to("#/experiments/3/runs/0a1b")).toBe("/experiments/3/runs/0a1b");
    expect(to("#/experiments/3/runs/0a1b?workspace=team")).toBe("/experiments/3/runs/0a1b");
    expect(to("#/experiments/3")).toBe("/experiments/3");
    expect(to("#/experiments/3?workspace=team")).toBe("/experiments/3");
    // Databricks' run URL form (utils/databricks_utils.py `_construct_databricks_run_url`)
    expect(to("#mlflow/experiments/3/runs/0a1b/artifactPath/model/MLmodel")).toBe("/experiments/3/runs/0a1b?artifact=model%2FMLmodel");
  });

  it("map run tabs, artifacts and the runs list", () => {
    expect(to("#/experiments/3/runs/0a1b/artifacts/plots/a.png")).toBe("/experiments/3/runs/0a1b?artifact=plots%2Fa.png");
    expect(to("#/experiments/3/runs/0a1b/model-metrics")).toBe("/experiments/3/runs/0a1b");
    expect(to("#/experiments/3/runs")).toBe("/experiments/3");
    expect(to("#/experiments/3/s?searchFilter=metrics.acc%20%3E%201")).toBe("/experiments/3?filter=metrics.acc+%3E+1");
    expect(hash("#/runs/0a1b")).toEqual({ kind: "run", runId: "0a1b" });
  });

  it("map traces, sessions, the overview and evaluation results", () => {
    expect(to("#/experiments/3/traces")).toBe("/experiments/3/traces");
    expect(to("#/experiments/3/traces?selectedTraceId=tr-abc")).toBe("/experiments/3/traces/tr-abc");
    expect(to("#/experiments/3/traces?selectedEvaluationId=tr-abc")).toBe("/experiments/3/traces/tr-abc");
    expect(to("#/experiments/3?selectedTraceId=tr-abc")).toBe("/experiments/3/traces/tr-abc");
    expect(to("#/experiments/3/chat-sessions/s%201")).toBe("/experiments/3/sessions/s%201");
    expect(to("#/experiments/3/chat-sessions")).toBe("/experiments/3/sessions");
    // cli/demo.py
    expect(to("#/experiments/3/overview")).toBe("/experiments/3/overview");
    // genai/utils/display_utils.py `_resolve_evaluation_results_url`
    expect(to("#/experiments/3/evaluation-runs?selectedRunUuid=0a1b")).toBe("/experiments/3/runs/0a1b");
  });

  it("map logged models, registered models and prompts", () => {
    expect(to("#/experiments/3/models")).toBe("/experiments/3/models");
    expect(to("#/experiments/3/models/m-123")).toBe("/experiments/3/models/m-123");
    expect(to("#/experiments/3/models/m-123/artifacts")).toBe("/experiments/3/models/m-123");
    expect(hash("#/logged-models/m-123")).toEqual({ kind: "loggedModel", modelId: "m-123" });
    expect(to("#/models")).toBe("/models");
    expect(to("#/models/iris%20clf")).toBe("/models/iris%20clf");
    expect(to("#/models/iris/versions/2")).toBe("/models/iris/versions/2");
    expect(to("#mlflow/models/iris/versions/2")).toBe("/models/iris/versions/2");
    expect(to("#/prompts")).toBe("/prompts");
    expect(to("#/prompts/qa?promptVersion=2")).toBe("/prompts/qa?v=2");
    expect(to("#/experiments/3/prompts/qa")).toBe("/prompts/qa");
  });

  it("map comparisons and metric pages", () => {
    expect(to('#/compare-runs?runs=["a","b"]&experiments=["3"]')).toBe("/experiments/3/compare?sel=a&sel=b");
    expect(to('#/metric/loss?runs=["a","b"]&experiments=["3"]&metric="loss"')).toBe("/experiments/3/compare?sel=a&sel=b&metric=loss");
    expect(to('#/metric/loss?runs=["a"]&experiments=["3"]&metric=%22loss%22')).toBe("/experiments/3/runs/a?metric=loss");
  });

  it("keep what they can of views Ardea lacks, saying so", () => {
    const judges = hash("#/experiments/3/judges");
    expect(judges).toMatchObject({ kind: "page", to: "/experiments/3" });
    expect(judges.kind === "page" && judges.notice).toContain("judges");
    expect(hash('#/compare-experiments/s?experiments=["1","2"]')).toMatchObject({ kind: "page", to: "/" });
    expect(hash("#/models/iris/compare-versions")).toMatchObject({ kind: "page", to: "/models/iris" });
  });

  it("fall back to the experiments list for anything else", () => {
    expect(hash("#/settings")).toEqual({ kind: "unknown", link: "#/settings" });
    expect(hash("#/no/such/page")).toEqual({ kind: "unknown", link: "#/no/such/page" });
    expect(hash("#/metric/x")).toMatchObject({ kind: "unknown" });
    expect(to("#/")).toBe("/");
    expect(to("#/experiments")).toBe("/");
  });

  it("map the notebook trace renderer's page", () => {
    const renderer = "/static-files/lib/notebook-trace-renderer/index.html";
    expect(mapMlflowLink(renderer, "?trace_id=tr-1&experiment_id=4&version=3.18.0", "")).toEqual({ kind: "page", to: "/experiments/4/traces/tr-1" });
    expect(mapMlflowLink(renderer, "?trace_id=tr-1&experiment_id=4&trace_id=tr-2&experiment_id=4", "")).toMatchObject({ kind: "page", to: "/experiments/4/traces" });
    expect(mapMlflowLink(renderer, "", "")).toMatchObject({ kind: "unknown" });
  });
});
