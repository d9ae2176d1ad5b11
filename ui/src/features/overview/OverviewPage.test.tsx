import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestBody } from "@ardea/api/types";
import { fakeFetch, renderAt } from "@ardea/test/render";
import OverviewPage from "./OverviewPage";

type RunSearch = RequestBody<"search_runs_post">;

// The canvas chart is uPlot's business; here a stand-in shows which charts were asked for.
vi.mock("@ardea/components/charts/TimeChart", () => ({
  default: ({ spec }: { spec: { id: string } }) => <div data-testid={`chart-${spec.id}`} />,
}));

afterEach(() => vi.unstubAllGlobals());

const bucket = (start: number, count: number) => ({
  start_ms: start,
  trace_count: count,
  error_count: 1,
  latency_p50_ms: 120,
  latency_p90_ms: 900,
  latency_p99_ms: 1500,
  input_tokens: 10,
  output_tokens: 20,
  cost: 0.5,
});

const run = (id: string, acc: number) => ({
  info: { run_id: id, run_name: `run-${id}`, experiment_id: "1", start_time: 1_700_000_000_000 },
  data: { metrics: [{ key: "acc", value: acc, timestamp: 0, step: 0 }] },
});

describe("OverviewPage", () => {
  it("asks the server for the URL's range and shows totals, charts, pass rates and best runs", async () => {
    const asked: { url?: URL } = {};
    const calls = fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: { experiment: { experiment_id: "1", name: "exp" } } }),
      "GET /ajax-api/3.0/ardea/experiments/1/trace-metrics": (_b, url) => {
        asked.url = url;
        return {
          json: {
            start_ms: 1000,
            end_ms: 61000,
            bucket_ms: 1000,
            buckets: [bucket(1000, 4), bucket(2000, 0)],
            totals: bucket(1000, 4),
            assessments: [
              { name: "correct", count: 4, pass_count: 3, verdict_count: 4, pass_rate: 0.75, numeric_count: 0, numeric_mean: null, pass_rates: [0.75, null], pass_counts: [3, 0], verdict_counts: [4, 0] },
            ],
          },
        };
      },
      "POST /ajax-api/2.0/mlflow/runs/search": (body) => {
        const b = body as RunSearch;
        return { json: { runs: b.order_by?.[0]?.startsWith("metrics.") ? [run("b", 0.9), run("a", 0.5)] : [run("a", 0.5)] } };
      },
    });
    renderAt(<OverviewPage />, "/experiments/:experimentId/overview", "/experiments/1/overview?range=custom&from=1000&to=61000");

    expect(await screen.findByText("120 ms / 900 ms / 1.50 s")).toBeInTheDocument();
    expect(asked.url?.searchParams.get("start_ms")).toBe("1000");
    expect(asked.url?.searchParams.get("end_ms")).toBe("61000");
    expect(asked.url?.searchParams.get("buckets")).toBe("60");
    for (const id of ["traces", "latency", "errors", "tokens", "cost", "pass-rate"]) {
      expect(await screen.findByTestId(`chart-${id}`)).toBeInTheDocument();
    }
    const rates = screen.getByRole("table", { name: "Assessment pass rates" });
    expect(within(rates).getByText("75%")).toBeInTheDocument();

    const best = await screen.findByRole("table", { name: "Best runs" });
    expect(await within(best).findByRole("link", { name: "run-b" })).toHaveAttribute("href", "/experiments/1/runs/b");
    const rankCall = calls.find((c) => (c.body as RunSearch | undefined)?.order_by?.[0]?.startsWith("metrics."));
    expect(rankCall?.body).toMatchObject({ order_by: ["metrics.`acc` DESC"] });
  });

  it("shows a training experiment's best runs first and no empty trace charts", async () => {
    fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: { experiment: { experiment_id: "1", name: "exp" } } }),
      "GET /ajax-api/3.0/ardea/experiments/1/trace-metrics": () => ({
        json: { start_ms: 1000, end_ms: 61000, bucket_ms: 1000, buckets: [bucket(1000, 0)], totals: { ...bucket(1000, 0), error_count: 0 }, assessments: [] },
      }),
      "POST /ajax-api/2.0/mlflow/runs/search": () => ({ json: { runs: [run("a", 0.5)] } }),
    });
    renderAt(<OverviewPage />, "/experiments/:experimentId/overview", "/experiments/1/overview?range=custom&from=1000&to=61000");
    const note = await screen.findByTestId("no-traces");
    const best = await screen.findByRole("table", { name: "Best runs" });
    expect(best.compareDocumentPosition(note) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(screen.queryByTestId("chart-traces")).toBeNull();
    expect(document.querySelector("[aria-label=Totals]")).toBeNull();
  });

  it("explains an unusable custom range", async () => {
    fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: { experiment: { experiment_id: "1", name: "exp" } } }),
      "POST /ajax-api/2.0/mlflow/runs/search": () => ({ json: { runs: [] } }),
    });
    renderAt(<OverviewPage />, "/experiments/:experimentId/overview", "/experiments/1/overview?range=custom&from=5000&to=1000");
    expect(await screen.findByText("The custom range must end after it starts.")).toBeInTheDocument();
  });
});
