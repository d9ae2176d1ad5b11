import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import { OnlineScoringStatus } from "./OnlineScoringStatus";

afterEach(() => vi.unstubAllGlobals());

const status = (over: Record<string, unknown>) => ({
  enabled: true,
  running: true,
  backlog: 0,
  max_backlog: 10_000,
  degrade_factor: 1,
  degraded: false,
  counts: { pending: 0, claimed: 0, done: 0, failed: 0 },
  ...over,
});

describe("OnlineScoringStatus", () => {
  it("shows the rows by state as a bar and in words", async () => {
    fakeFetch({
      "GET /ajax-api/3.0/ardea/online-scoring/status": (_b, url) => {
        expect(url.searchParams.get("experiment_id")).toBe("7");
        return { json: status({ counts: { pending: 3, claimed: 1, done: 40, failed: 2 } }) };
      },
    });
    renderAt(<OnlineScoringStatus experimentId="7" />, "/", "/");
    const bar = await screen.findByRole("img", { name: "40 scored, 1 scoring, 3 waiting, 2 failed" });
    expect(bar.querySelectorAll(".online-seg")).toHaveLength(4);
    expect(screen.getByText(/Online scoring: 40 scored · 1 scoring · 3 waiting · 2 failed/)).toBeInTheDocument();
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("says when the server sheds load and when no loop runs", async () => {
    fakeFetch({
      "GET /ajax-api/3.0/ardea/online-scoring/status": () => ({
        json: status({ running: false, enabled: false, degraded: true, degrade_factor: 0.25, backlog: 40_000, counts: { pending: 40_000 } }),
      }),
    });
    renderAt(<OnlineScoringStatus experimentId="7" />, "/", "/");
    const notes = await screen.findAllByRole("status");
    expect(notes[0]).toHaveTextContent("sampled at 25% of the configured rates");
    expect(notes[0]).toHaveTextContent("40,000 of 10,000");
    expect(notes[1]).toHaveTextContent("ARDEA_ONLINE_SCORING=0");
  });

  it("shows nothing before any trace was sampled", async () => {
    let asked = 0;
    fakeFetch({
      "GET /ajax-api/3.0/ardea/online-scoring/status": () => {
        asked += 1;
        return { json: status({}) };
      },
    });
    const { container } = renderAt(<OnlineScoringStatus experimentId="7" />, "/", "/");
    await vi.waitFor(() => expect(asked).toBe(1));
    expect(container.querySelector("[data-testid='online-status']")).toBeNull();
  });
});
