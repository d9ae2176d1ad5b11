import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { EvaluationResults } from "@ardea/api/types";
import { fakeFetch, renderAt } from "@ardea/test/render";
import EvaluationPage from "./EvaluationPage";

afterEach(() => vi.unstubAllGlobals());

const results: EvaluationResults = {
  run_id: "r1",
  experiment_id: "1",
  run_name: "eval-r1",
  is_evaluation: true,
  scorers: ["correct", "length"],
  rows: [
    {
      trace_id: "tr-1",
      state: "OK",
      record_id: "dr-1",
      request_preview: "what is a heron?",
      response_preview: "a bird",
      scores: { correct: { value: true, source_type: "LLM_JUDGE", rationale: "right" }, length: { value: 6, source_type: "CODE" } },
      expectations: { expected_response: "a bird" },
    },
    {
      trace_id: "tr-2",
      state: "OK",
      request_preview: "what is an egret?",
      scores: { correct: { value: false, source_type: "LLM_JUDGE", rationale: "an egret is not a fish" }, length: { value: 4, source_type: "CODE" } },
      expectations: {},
    },
    {
      trace_id: "tr-3",
      state: "OK",
      scores: { correct: { value: null, source_type: "LLM_JUDGE", error: "judge timed out" } },
      expectations: {},
    },
  ],
};

describe("EvaluationPage", () => {
  it("shows rows by scorers, filters failed rows and errors, and links each row's trace", async () => {
    fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: { experiment: { experiment_id: "1", name: "exp" } } }),
      "GET /ajax-api/3.0/ardea/evaluations/results": () => ({ json: results }),
      "GET /ajax-api/3.0/ardea/evaluations/summary": () => ({
        json: { run_id: "r1", experiment_id: "1", run_name: "eval-r1", is_evaluation: true, n_rows: 3, scorers: [] },
      }),
    });
    renderAt(<EvaluationPage />, "/experiments/:experimentId/evaluations/:runId", "/experiments/1/evaluations/r1");

    const grid = await screen.findByRole("table", { name: "Results" });
    expect(screen.getByTestId("row-count")).toHaveTextContent("3 of 3 rows");
    expect(within(grid).getByRole("link", { name: "dr-1" })).toHaveAttribute("href", "/experiments/1/traces/tr-1");
    const failing = grid.querySelector("tr[data-trace='tr-2'] td[data-scorer='correct']") as HTMLElement;
    expect(within(failing).getByText("no")).toHaveClass("fail");
    expect(within(failing).getByText("an egret is not a fish")).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Failed on" }), "correct");
    expect(screen.getByTestId("row-count")).toHaveTextContent("1 of 3 rows");
    expect(grid.querySelectorAll("tbody tr")).toHaveLength(1);
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Failed on" }), "");
    await userEvent.click(screen.getByRole("checkbox", { name: "Errors only" }));
    expect(screen.getByTestId("row-count")).toHaveTextContent("1 of 3 rows");
    const errored = grid.querySelector("tr[data-trace='tr-3'] td[data-scorer='correct']") as HTMLElement;
    expect(within(errored).getByText("judge timed out")).toBeInTheDocument();
  });
});
