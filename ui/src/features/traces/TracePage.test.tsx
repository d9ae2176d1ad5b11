import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import TracePage from "./TracePage";

afterEach(() => vi.unstubAllGlobals());

const ROOT = "ASNFZ4mrze8="; // 0123456789abcdef
const span = (id: string, name: string, parent?: string) => ({
  trace_id: "t",
  span_id: id,
  ...(parent ? { parent_span_id: parent } : {}),
  name,
  start_time_unix_nano: 1_700_000_000_000_000_000,
  end_time_unix_nano: 1_700_000_000_500_000_000,
});

function routes(seen: string[]) {
  return {
    "GET /ajax-api/3.0/mlflow/traces/tr-1": () => ({
      json: { trace: { trace_info: { trace_id: "tr-1", state: "OK", execution_duration: "0.5s", tags: { "mlflow.traceName": "agent" } } } },
    }),
    "GET /ajax-api/3.0/ardea/traces/tr-1/spans": (_: unknown, url: URL) => {
      seen.push(url.search);
      if (url.searchParams.get("roots_only") === "true") return { json: { spans: [span(ROOT, "root-span")] } };
      return { json: { spans: [span("AAAAAAAAAAE=", "child", ROOT)], next_page_token: "p2" } };
    },
  };
}

describe("TracePage", () => {
  it("loads the root spans first, then the children of the expanded root", async () => {
    const seen: string[] = [];
    fakeFetch(routes(seen));
    renderAt(<TracePage />, "/experiments/:experimentId/traces/:traceId", "/experiments/1/traces/tr-1");
    expect(await screen.findByRole("heading", { name: "root-span" })).toBeInTheDocument();
    await waitFor(() => expect(seen).toHaveLength(2));
    expect(new URLSearchParams(seen[0]).get("roots_only")).toBe("true");
    expect(new URLSearchParams(seen[0]).get("max_results")).toBe("1000");
    expect(new URLSearchParams(seen[1]).get("parent_span_id")).toBe("0123456789abcdef");
  });

  it("expands only the spans the URL names", async () => {
    const seen: string[] = [];
    fakeFetch(routes(seen));
    renderAt(<TracePage />, "/experiments/:experimentId/traces/:traceId", "/experiments/1/traces/tr-1?open=");
    expect(await screen.findByRole("heading", { name: "root-span" })).toBeInTheDocument();
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toHaveLength(1);
  });
});
