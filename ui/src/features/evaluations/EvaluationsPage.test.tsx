import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import EvaluationsPage, { baselineFirst } from "./EvaluationsPage";

afterEach(() => vi.unstubAllGlobals());

const run = (id: string, start: number) => ({ info: { run_id: id, run_name: `eval-${id}`, experiment_id: "1", start_time: start }, data: {} });

const summary = (runId: string, rate: number) => ({
  run_id: runId,
  experiment_id: "1",
  run_name: `eval-${runId}`,
  is_evaluation: true,
  n_rows: 10,
  scorers: [
    {
      scorer: "correct",
      kind: "binary",
      n_rows: 10,
      n_missing: 1,
      n_valid: 9,
      errors: 1,
      estimates: [{ name: "pass_rate", value: rate, low: rate - 0.2, high: rate + 0.1, confidence: 0.95, method: "wilson", n: 9 }],
      counts: [],
    },
  ],
});

describe("baselineFirst", () => {
  it("makes the older of two selected runs the baseline", () => {
    const runs = [run("new", 20), run("old", 10)] as never[];
    expect(baselineFirst(runs, ["new", "old"])).toEqual(["old", "new"]);
    expect(baselineFirst(runs, ["old"])).toBeNull();
    expect(baselineFirst(runs, ["old", "gone"])).toBeNull();
  });
});

describe("EvaluationsPage", () => {
  it("lists the evaluation runs with their aggregates and compares two of them", async () => {
    let filter = "";
    fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: { experiment: { experiment_id: "1", name: "exp" } } }),
      "POST /ajax-api/2.0/mlflow/runs/search": (body) => {
        filter = (body as { filter: string }).filter;
        return { json: { runs: [run("b", 20), run("a", 10)] } };
      },
      "GET /ajax-api/3.0/ardea/evaluations/summary": (_b, url) => {
        expect(url.searchParams.getAll("statistics")).toEqual(["mean"]);
        const id = url.searchParams.get("run_id") ?? "";
        return { json: summary(id, id === "a" ? 0.9 : 0.5) };
      },
    });
    renderAt(<EvaluationsPage />, "/experiments/:experimentId/evaluations", "/experiments/1/evaluations");

    const table = await screen.findByRole("table", { name: "Evaluations" });
    expect(filter).toBe("tags.`mlflow.runType` = 'genai_evaluate'");
    const rowA = table.querySelector("tr[data-run='eval-a']") as HTMLElement;
    expect(await within(rowA).findByText("90% [70%, 100%]")).toBeInTheDocument();
    expect(within(rowA).getByText(/1 missing/)).toBeInTheDocument();
    expect(within(rowA).getByRole("img", { name: "correct: 90% [70%, 100%]" })).toBeInTheDocument();
    const compare = screen.getByRole("button", { name: "Compare" });
    expect(compare).toBeDisabled();
    await userEvent.click(screen.getByRole("checkbox", { name: "Select eval-b" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Select eval-a" }));
    expect(compare).toBeEnabled();
  });

  it("says what an evaluation run is when there is none", async () => {
    fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: { experiment: { experiment_id: "1", name: "exp" } } }),
      "POST /ajax-api/2.0/mlflow/runs/search": () => ({ json: {} }),
    });
    renderAt(<EvaluationsPage />, "/experiments/:experimentId/evaluations", "/experiments/1/evaluations");
    expect(await screen.findByTestId("no-evaluations")).toHaveTextContent("genai_evaluate");
  });
});
