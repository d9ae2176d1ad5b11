import { screen, waitFor } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import TracePage from "./TracePage";

afterEach(() => vi.unstubAllGlobals());

// jsdom lays nothing out: give the tree's scroll box a height so the virtualizer renders rows.
const clientHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "clientHeight");
beforeAll(() => Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 600 }));
afterAll(() => {
  if (clientHeight) Object.defineProperty(HTMLElement.prototype, "clientHeight", clientHeight);
});

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
    // Then the root's children; no other request (each page says which spans have children).
    await waitFor(() => expect(seen).toHaveLength(2));
    expect(new URLSearchParams(seen[0]).get("roots_only")).toBe("true");
    expect(new URLSearchParams(seen[0]).get("max_results")).toBe("1000");
    const later = new URLSearchParams(seen[1]);
    expect(later.get("parent_span_id")).toBe("0123456789abcdef");
    expect(later.has("roots_only")).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toHaveLength(2);
  });

  it("expands only the spans the URL names", async () => {
    const seen: string[] = [];
    fakeFetch(routes(seen));
    renderAt(<TracePage />, "/experiments/:experimentId/traces/:traceId", "/experiments/1/traces/tr-1?open=");
    expect(await screen.findByRole("heading", { name: "root-span" })).toBeInTheDocument();
    await new Promise((r) => setTimeout(r, 20));
    expect(seen.filter((q) => new URLSearchParams(q).has("parent_span_id"))).toHaveLength(0);
  });

  it("shows no caret on a span its page does not list among the spans with children", async () => {
    const child = span("AAAAAAAAAAE=", "child", ROOT);
    fakeFetch({
      ...routes([]),
      "GET /ajax-api/3.0/ardea/traces/tr-1/spans": (_: unknown, url: URL) => {
        if (url.searchParams.get("roots_only") === "true") return { json: { spans: [span(ROOT, "root-span")], parent_span_ids: [ROOT] } };
        return { json: { spans: [child], parent_span_ids: [] } };
      },
    });
    renderAt(<TracePage />, "/experiments/:experimentId/traces/:traceId", "/experiments/1/traces/tr-1");
    const childRow = (await screen.findByText("child")).closest("[role=treeitem]")!;
    await waitFor(() => expect(childRow.querySelector("button")).toBeNull());
    const rootRow = screen.getAllByText("root-span").map((e) => e.closest("[role=treeitem]")).find(Boolean)!;
    expect(rootRow.querySelector("button[aria-label=Collapse]")).not.toBeNull();
    expect(screen.getByTestId("trace-summary").querySelector(".status-badge")).toHaveTextContent("OK");
  });
});
