import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import PromptPage from "./PromptPage";

afterEach(() => vi.unstubAllGlobals());

const version = (v: string, text: string, extra: { key: string; value: string }[] = []) => ({
  name: "qa",
  version: v,
  description: `commit ${v}`,
  creation_timestamp: 1_700_000_000_000,
  tags: [{ key: "mlflow.prompt.is_prompt", value: "true" }, { key: "mlflow.prompt.text", value: text }, ...extra],
});

const XSS = "<img src=x onerror=window.__xss=1>";

function routes() {
  return fakeFetch({
    "GET /ajax-api/2.0/mlflow/registered-models/get": () => ({
      json: { registered_model: { name: "qa", aliases: [{ alias: "prod", version: "1" }], tags: [{ key: "team", value: "a" }] } },
    }),
    "GET /ajax-api/2.0/mlflow/model-versions/search": () => ({
      json: {
        model_versions: [
          version("2", `Answer {{ question }}\nBe detailed.\n${XSS}`),
          version("1", "Answer {{ question }}\nBe brief."),
        ],
      },
    }),
    "POST /ajax-api/2.0/mlflow/experiments/search": () => ({ json: { experiments: [{ experiment_id: "3", name: "e" }] } }),
    "POST /ajax-api/2.0/mlflow/runs/search": () => ({
      json: {
        runs: [
          {
            info: { run_id: "r1", run_name: "used-v1", experiment_id: "3" },
            data: { tags: [{ key: "mlflow.linkedPrompts", value: JSON.stringify([{ name: "qa", version: "1" }]) }] },
          },
          {
            info: { run_id: "r2", run_name: "other-prompt", experiment_id: "3" },
            data: { tags: [{ key: "mlflow.linkedPrompts", value: JSON.stringify([{ name: "qa2", version: "1" }]) }] },
          },
        ],
      },
    }),
    "POST /ajax-api/3.0/mlflow/traces/search": () => ({
      json: { traces: [{ trace_id: "tr-1", trace_location: { mlflow_experiment: { experiment_id: "3" } }, tags: { "mlflow.linkedPrompts": '[{"name": "qa", "version": "2"}]' } }] },
    }),
  });
}

describe("PromptPage", () => {
  it("shows the latest template with its variables highlighted, as text", async () => {
    routes();
    renderAt(<PromptPage />, "/prompts/:name", "/prompts/qa");
    const template = await screen.findByTestId("prompt-template");
    const vars = template.querySelectorAll("[data-variable]");
    expect([...vars].map((v) => v.textContent)).toEqual(["{{ question }}"]);
    expect(template).toHaveTextContent(XSS);
    expect(document.querySelector("img")).toBeNull();
    expect(screen.getByTestId("prompt-aliases")).toHaveTextContent("@prod → v1");
  });

  it("diffs two versions and lists the runs and traces that used the prompt", async () => {
    const calls = routes();
    renderAt(<PromptPage />, "/prompts/:name", "/prompts/qa?from=1&to=2");
    const diff = await screen.findByRole("table", { name: "Diff from v1 to v2" });
    const kinds = [...diff.querySelectorAll("tr")].map((r) => `${r.getAttribute("data-kind")}:${r.lastElementChild?.textContent}`);
    expect(kinds).toEqual(["same:Answer {{ question }}", "del:Be brief.", "add:Be detailed.", `add:${XSS}`]);

    const runs = await screen.findByRole("table", { name: "Runs that used the prompt" });
    expect(within(runs).getByRole("link", { name: "used-v1" })).toHaveAttribute("href", "/experiments/3/runs/r1");
    expect(within(runs).queryByText("other-prompt")).toBeNull();
    const traces = screen.getByRole("table", { name: "Traces that used the prompt" });
    expect(within(traces).getByRole("link", { name: "tr-1" })).toHaveAttribute("href", "/experiments/3/traces/tr-1");
    const runSearch = calls.find((c) => c.key.endsWith("/runs/search"))!;
    expect(runSearch.body).toMatchObject({ experiment_ids: ["3"], filter: "tags.`mlflow.linkedPrompts` LIKE '%qa%'" });
  });
});
