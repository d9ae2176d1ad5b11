import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import SessionsPage from "./SessionsPage";

afterEach(() => vi.unstubAllGlobals());

const trace = (id: string, session: string, time: string) => ({
  trace_id: id,
  request_time: time,
  state: "OK",
  request_preview: `q ${id}`,
  trace_metadata: { "mlflow.trace.session": session },
});

describe("SessionsPage", () => {
  it("groups the traces that have a session, with the URL's filter added", async () => {
    const calls = fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: { experiment: { experiment_id: "3", name: "chatbot" } } }),
      "POST /ajax-api/3.0/mlflow/traces/search": () => ({
        json: { traces: [trace("t3", "s-b", "2024-01-01T00:03:00Z"), trace("t2", "s-a", "2024-01-01T00:02:00Z"), trace("t1", "s-b", "2024-01-01T00:01:00Z")] },
      }),
    });
    renderAt(<SessionsPage />, "/experiments/:experimentId/sessions", "/experiments/3/sessions?filter=user%20%3D%20'u1'");
    const link = await screen.findByRole("link", { name: "s-b" });
    expect(link).toHaveAttribute("href", "/experiments/3/sessions/s-b");
    const row = link.closest("tr")!;
    expect(row).toHaveTextContent("q t1");
    expect(row.querySelectorAll("td")[1]).toHaveTextContent("2");
    expect(screen.getByText("2 sessions")).toBeInTheDocument();
    const search = calls.find((c) => c.key.endsWith("/traces/search"))!;
    expect(search.body).toMatchObject({ filter: "session IS NOT NULL and user = 'u1'", order_by: ["timestamp_ms DESC"] });
  });
});
