import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { EvaluationComparison } from "@ardea/api/types";
import { fakeFetch, renderAt } from "@ardea/test/render";
import EvaluationComparePage from "./EvaluationComparePage";

afterEach(() => vi.unstubAllGlobals());

const scorer = (name: string, verdict: string, diff: number, regressed: string[] = []) => ({
  scorer: name,
  kind: "binary",
  n_paired: 12,
  n_missing: 0,
  greater_is_better: true,
  test: "mcnemar_mid_p",
  p_value: 0.004,
  p_adjusted: 0.008,
  a_value: 1,
  b_value: 1 + diff,
  diff,
  diff_low: diff - 0.1,
  diff_high: diff + 0.1,
  effects: { cohen_h: -1.2 },
  other_p_values: {},
  improved_rows: [],
  regressed_rows: regressed,
  changed_rows: [],
  verdict,
  noise_floor: null,
  within_noise: null,
});

const comparison: EvaluationComparison = {
  baseline_run_id: "ra",
  candidate_run_id: "rb",
  scorers: [scorer("correct", "regressed", -0.5, ["record:dr-1"]), scorer("safe", "no_significant_change", 0)],
  n_pairs: 12,
  unpaired_a: [],
  unpaired_b: ["inputs:aaaa"],
  ambiguous: [],
  alpha: 0.05,
  correction: "holm",
  confidence: 0.95,
  rows: [
    { key: "record:dr-1", baseline_trace_id: "tr-a1", candidate_trace_id: "tr-b1" },
    { key: "inputs:aaaa", baseline_trace_id: null, candidate_trace_id: "tr-b9" },
  ],
};

describe("EvaluationComparePage", () => {
  it("asks for the URL's pair, highlights the regression and links both traces of its rows", async () => {
    let asked: URL | undefined;
    fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: { experiment: { experiment_id: "1", name: "exp" } } }),
      "GET /ajax-api/2.0/mlflow/runs/get": (_b, url) => ({
        json: { run: { info: { run_id: url.searchParams.get("run_id"), run_name: `name-${url.searchParams.get("run_id")}` }, data: {} } },
      }),
      "GET /ajax-api/3.0/ardea/evaluations/compare": (_b, url) => {
        asked = url;
        return { json: comparison };
      },
    });
    renderAt(<EvaluationComparePage />, "/experiments/:experimentId/evaluations/compare", "/experiments/1/evaluations/compare?a=ra&b=rb");

    const table = await screen.findByRole("table", { name: "Comparison" });
    expect(asked?.searchParams.get("baseline_run_id")).toBe("ra");
    expect(asked?.searchParams.get("candidate_run_id")).toBe("rb");
    expect(asked?.searchParams.get("correction")).toBe("holm");
    const regressed = table.querySelector("tr[data-scorer='correct']") as HTMLElement;
    expect(regressed).toHaveClass("verdict-regressed");
    expect(within(regressed).getByText("regressed")).toBeInTheDocument();
    expect(within(regressed).getByText("-50% [-60%, -40%]")).toBeInTheDocument();
    expect(within(regressed).getByText("0.008")).toBeInTheDocument();
    const same = table.querySelector("tr[data-scorer='safe']") as HTMLElement;
    expect(within(same).getByText("unchanged")).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: "name-ra" })).toHaveAttribute("href", "/experiments/1/evaluations/ra");
    expect(screen.getByTestId("pairing")).toHaveTextContent("12 rows paired");
    expect(screen.getByTestId("pairing")).toHaveTextContent("1 only in the candidate");
    const rows = screen.getByRole("region", { name: "correct regressed" });
    expect(within(rows).getByRole("link", { name: "baseline trace" })).toHaveAttribute("href", "/experiments/1/traces/tr-a1");
    expect(within(rows).getByRole("link", { name: "candidate trace" })).toHaveAttribute("href", "/experiments/1/traces/tr-b1");
    expect(screen.getByRole("link", { name: "Swap baseline and candidate" })).toHaveAttribute(
      "href",
      "/experiments/1/evaluations/compare?a=rb&b=ra",
    );
  });
});
