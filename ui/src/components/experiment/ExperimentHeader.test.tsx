import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Answer } from "@ardea/api/types";
import { ROUTES } from "@ardea/lib/paths";
import { fakeFetch, renderAt } from "@ardea/test/render";
import { ExperimentBreadcrumbs } from "./ExperimentBreadcrumbs";
import { ExperimentHeader } from "./ExperimentHeader";

afterEach(() => vi.unstubAllGlobals());

const experiment: Answer<"get_experiment_get"> = {
  experiment: {
    experiment_id: "7",
    name: "herons",
    artifact_location: "mlflow-artifacts:/7",
    lifecycle_stage: "active",
    tags: [],
    workspace: "default",
  },
};

describe("ExperimentHeader", () => {
  it("shows the breadcrumbs, the experiment's name and its tabs, the current one active", async () => {
    fakeFetch({ "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: experiment }) });
    renderAt(<ExperimentHeader experimentId="7" />, ROUTES.traces, "/experiments/7/traces");
    expect(await screen.findByRole("heading", { name: "herons" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Experiments" })).toHaveAttribute("href", "/");
    const tabs = screen.getByRole("navigation", { name: "Experiment views" });
    expect([...tabs.querySelectorAll("a")].map((a) => [a.textContent, a.getAttribute("href")])).toEqual([
      ["Runs", "/experiments/7"],
      ["Models", "/experiments/7/models"],
      ["Traces", "/experiments/7/traces"],
      ["Evaluations", "/experiments/7/evaluations"],
      ["Judges", "/experiments/7/judges"],
      ["Review", "/experiments/7/review"],
      ["Issues", "/experiments/7/issues"],
      ["Overview", "/experiments/7/overview"],
      ["Alerts", "/experiments/7/alerts"],
      ["Sessions", "/experiments/7/sessions"],
      ["Datasets", "/datasets?experiment=7"],
    ]);
    expect(screen.getByRole("link", { name: "Traces" })).toHaveClass("active");
    expect(screen.getByRole("link", { name: "Runs" })).not.toHaveClass("active");
  });

  it("names the experiment in the breadcrumbs of a page inside it, linking to its runs", async () => {
    fakeFetch({ "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: experiment }) });
    renderAt(
      <ExperimentBreadcrumbs experimentId="7">
        <span>Compare</span>
      </ExperimentBreadcrumbs>,
      ROUTES.compare,
      "/experiments/7/compare",
    );
    const crumbs = screen.getByRole("navigation", { name: "Breadcrumbs" });
    expect(await within(crumbs).findByRole("link", { name: "herons" })).toHaveAttribute("href", "/experiments/7");
    expect([...crumbs.children].map((c) => c.textContent)).toEqual(["Experiments", "herons", "Compare"]);
  });

  it("names the experiment by id until it loads, and says why it did not", async () => {
    fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": () => ({
        status: 404,
        json: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "No experiment 9" },
      }),
    });
    renderAt(<ExperimentHeader experimentId="9" />, ROUTES.runs, "/experiments/9");
    expect(await screen.findByRole("alert")).toHaveTextContent("No experiment 9");
    expect(screen.getByRole("heading", { name: "Experiment" })).toBeInTheDocument();
    expect(screen.getByText("9")).toBeInTheDocument();
  });
});
