import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import { runs } from "./alignmentRuns.fixture";
import JudgesPage, { samplingText } from "./JudgesPage";
import { serializeJudge } from "./judgeJson";

afterEach(() => vi.unstubAllGlobals());

const judge = (version: number) => ({
  experiment_id: 1,
  scorer_name: "correct",
  scorer_version: version,
  scorer_id: "s-1",
  creation_time: 1_700_000_000_000 + version,
  serialized_scorer: serializeJudge({ name: "correct", instructions: "{{ outputs }}", model: "openai:/gpt-4.1-mini", kind: "boolean", categories: [] }),
});
const builtin = {
  experiment_id: 1,
  scorer_name: "safety",
  scorer_version: 1,
  scorer_id: "s-2",
  creation_time: 1_700_000_000_000,
  serialized_scorer: JSON.stringify({ name: "safety", builtin_scorer_class: "Safety" }),
};

describe("samplingText", () => {
  it("says off without a config and the rate with its filter", () => {
    expect(samplingText(undefined)).toBe("off");
    expect(samplingText({ online_scoring_config_id: "c", scorer_id: "s", experiment_id: "1", sample_rate: 0.25, filter_string: "x = 1" })).toBe(
      "25% of traces where x = 1",
    );
  });
});

describe("JudgesPage", () => {
  it("lists the registered scorers with kind and sampling, and a judge's versions", async () => {
    fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: { experiment: { experiment_id: "1", name: "exp" } } }),
      "GET /ajax-api/3.0/mlflow/scorers/list": () => ({ json: { scorers: [builtin, judge(2)] } }),
      "GET /ajax-api/3.0/mlflow/scorers/online-configs": (_b, url) => {
        expect(url.searchParams.getAll("scorer_ids").sort()).toEqual(["s-1", "s-2"]);
        return { json: { configs: [{ online_scoring_config_id: "c", scorer_id: "s-1", experiment_id: "1", sample_rate: 0.1 }] } };
      },
      "GET /ajax-api/3.0/mlflow/scorers/versions": () => ({ json: { scorers: [judge(1), judge(2)] } }),
      "GET /ajax-api/3.0/ardea/judges/alignments/list": (_b, url) => {
        expect(url.searchParams.get("experiment_id")).toBe("1");
        return { json: { alignments: [...runs, { ...runs[0], alignment_id: "a-3", name: "safety" }] } };
      },
    });
    renderAt(<JudgesPage />, "/experiments/:experimentId/judges", "/experiments/1/judges");
    const table = await screen.findByRole("table", { name: "Registered scorers" });
    const row = table.querySelector("tr[data-scorer='correct']") as HTMLElement;
    expect(row).toHaveTextContent("LLM judge");
    expect(row).toHaveTextContent("openai:/gpt-4.1-mini");
    expect(within(row).getByRole("link", { name: "Edit" })).toHaveAttribute("href", "/experiments/1/judges/builder?name=correct&version=2");
    expect(await within(row).findByText("10% of traces")).toBeInTheDocument();
    const safety = table.querySelector("tr[data-scorer='safety']") as HTMLElement;
    expect(safety).toHaveTextContent("built-in");
    expect(safety).toHaveTextContent("off");
    await userEvent.click(within(row).getByRole("button", { name: "Versions of correct" }));
    const versions = await screen.findByRole("table", { name: "Versions of correct" });
    expect(versions.querySelectorAll(":scope > tbody > tr")).toHaveLength(2);
    expect(versions.querySelector(":scope > tbody > tr")).toHaveAttribute("data-version", "2");
    const history = screen.getByRole("region", { name: "Agreement history" });
    expect(within(history).getAllByRole("heading", { level: 4 }).map((h) => h.textContent)).toEqual(["cited", "safety"]);
    expect(within(history).getByRole("table", { name: "Alignment runs of cited" }).querySelectorAll("tbody > tr")).toHaveLength(2);
  });

  it("says how to add one when there is none", async () => {
    fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: { experiment: { experiment_id: "1", name: "exp" } } }),
      "GET /ajax-api/3.0/mlflow/scorers/list": () => ({ json: {} }),
      "GET /ajax-api/3.0/ardea/judges/alignments/list": () => ({ json: { alignments: [] } }),
    });
    renderAt(<JudgesPage />, "/experiments/:experimentId/judges", "/experiments/1/judges");
    expect(await screen.findByTestId("no-scorers")).toHaveTextContent("scorer.register()");
    expect(await screen.findByTestId("no-alignments")).toHaveTextContent("ardea.align(");
  });
});
