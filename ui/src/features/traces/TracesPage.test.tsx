import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestBody } from "@ardea/api/types";
import { fakeFetch, renderAt } from "@ardea/test/render";
import TracesPage from "./TracesPage";

afterEach(() => vi.unstubAllGlobals());

const PATTERN = "/experiments/:experimentId/traces";

function routes() {
  return {
    "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: { experiment: { experiment_id: "3", name: "agents" } } }),
    "POST /ajax-api/3.0/mlflow/traces/search": () => ({
      json: {
        traces: [
          {
            trace_id: "tr-1",
            state: "OK",
            execution_duration: "1.5s",
            tags: { "mlflow.traceName": "agent", env: "prod", note: "x".repeat(80) },
          },
          { trace_id: "tr-2", state: "STATE_UNSPECIFIED", tags: {} },
        ],
      },
    }),
  };
}

const searches = (calls: { key: string; body: unknown }[]) => calls.filter((c) => c.key.endsWith("/traces/search")).map((c) => c.body as RequestBody<"search_traces_post">);

describe("TracesPage", () => {
  it("shows user tags as chips, without MLflow's tags, long values cut with the full text as tooltip", async () => {
    fakeFetch(routes());
    renderAt(<TracesPage />, PATTERN, "/experiments/3/traces");
    const row = (await screen.findByRole("link", { name: "agent" })).closest("tr")!;
    const env = row.querySelector("[data-tag=env]")!;
    expect(env).toHaveTextContent("env = prod");
    const note = row.querySelector("[data-tag=note]")!;
    expect(note.textContent!.length).toBeLessThan(50);
    expect(note).toHaveAttribute("title", `note = ${"x".repeat(80)}`);
    expect(row.querySelector("[data-tag='mlflow.traceName']")).toBeNull();
    expect(within(row).getByText("OK")).toHaveClass("tone-ok");
    expect(within(screen.getByRole("link", { name: "tr-2" }).closest("tr")!).getByText("—")).toHaveClass("tone-neutral");
  });

  it("sorts on the server by the clicked header, kept in the URL with the filter", async () => {
    const calls = fakeFetch(routes());
    renderAt(<TracesPage />, PATTERN, "/experiments/3/traces?filter=tags.env%20%3D%20'prod'");
    await screen.findByRole("link", { name: "agent" });
    expect(searches(calls).at(-1)).toMatchObject({ order_by: ["timestamp_ms DESC"], filter: "tags.env = 'prod'" });
    const time = screen.getByRole("columnheader", { name: /Time/ });
    expect(time).toHaveAttribute("aria-sort", "descending");

    await userEvent.click(screen.getByRole("button", { name: "Latency" }));
    await waitFor(() => expect(searches(calls).at(-1)?.order_by).toEqual(["execution_time_ms DESC", "timestamp_ms DESC"]));
    expect(searches(calls).at(-1)?.filter).toBe("tags.env = 'prod'");
    expect(screen.getByRole("columnheader", { name: /Latency/ })).toHaveAttribute("aria-sort", "descending");
    expect(time).not.toHaveAttribute("aria-sort");

    await userEvent.click(screen.getByRole("button", { name: /Latency/ }));
    await waitFor(() => expect(searches(calls).at(-1)?.order_by).toEqual(["execution_time_ms ASC", "timestamp_ms DESC"]));
    expect(screen.getByRole("columnheader", { name: /Latency/ })).toHaveAttribute("aria-sort", "ascending");
  });

  it("falls back to newest first for an unknown sort in the URL", async () => {
    const calls = fakeFetch(routes());
    renderAt(<TracesPage />, PATTERN, "/experiments/3/traces?sort=drop_table:sideways");
    await screen.findByRole("link", { name: "agent" });
    expect(searches(calls).map((b) => b.order_by)).toEqual([["timestamp_ms DESC"]]);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
