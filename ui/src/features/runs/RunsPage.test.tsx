import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import RunsPage from "./RunsPage";

afterEach(() => vi.unstubAllGlobals());

const experiment = () => ({ json: { experiment: { experiment_id: "1", name: "exp" } } });

describe("RunsPage", () => {
  it("sends the URL's filter and order to the server", async () => {
    const calls = fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": experiment,
      "POST /ajax-api/2.0/mlflow/runs/search": () => ({ json: { runs: [] } }),
    });
    renderAt(<RunsPage />, "/experiments/:experimentId", "/experiments/1?filter=metrics.acc%20%3E%200.5&sort=metrics.acc&dir=asc");
    expect(await screen.findByText("0 runs")).toBeInTheDocument();
    const search = calls.find((c) => c.key.endsWith("/runs/search"))!;
    expect(search.body).toMatchObject({
      experiment_ids: ["1"],
      filter: "metrics.acc > 0.5",
      order_by: ["metrics.acc ASC"],
      max_results: 1000,
    });
  });

  it("shows the latest metrics and the params as columns until columns are chosen", async () => {
    const runs = [
      { info: { run_id: "a", run_name: "run-a", experiment_id: "1" }, data: { metrics: [{ key: "acc", value: 0.9, step: 0, timestamp: 0 }], params: [{ key: "lr", value: "0.1" }] } },
    ];
    fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": experiment,
      "POST /ajax-api/2.0/mlflow/runs/search": () => ({ json: { runs } }),
    });
    const view = renderAt(<RunsPage />, "/experiments/:experimentId", "/experiments/1");
    expect(await screen.findByRole("columnheader", { name: /^acc/ })).toBeInTheDocument();
    expect(screen.getByRole("columnheader", { name: /^lr/ })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Columns (2)" })).toBeInTheDocument();
    view.unmount();
    renderAt(<RunsPage />, "/experiments/:experimentId", "/experiments/1?col=");
    expect(await screen.findByRole("button", { name: "Columns (0)" })).toBeInTheDocument();
    expect(screen.queryByRole("columnheader", { name: /^acc/ })).toBeNull();
  });

  it("shows the server's message under the filter box on a 400", async () => {
    fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": experiment,
      "POST /ajax-api/2.0/mlflow/runs/search": () => ({
        status: 400,
        json: { error_code: "INVALID_PARAMETER_VALUE", message: "Invalid clause(s) in filter string: 'acc >>> 1'" },
      }),
    });
    renderAt(<RunsPage />, "/experiments/:experimentId", "/experiments/1?filter=acc%20%3E%3E%3E%201");
    expect(await screen.findByRole("alert")).toHaveTextContent("Invalid clause(s) in filter string: 'acc >>> 1'");
    expect(screen.getByRole("searchbox", { name: "Filter runs" })).toHaveValue("acc >>> 1");
  });
});
