import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import { RunOptimization } from "./RunOptimization";
import { optimization } from "./optimization.fixture";

afterEach(() => vi.unstubAllGlobals());

describe("RunOptimization", () => {
  it("shows candidates with intervals, the held-out check and the winner's diff", async () => {
    const calls = fakeFetch({ "GET /get-artifact": () => ({ json: optimization }) });
    renderAt(<RunOptimization runId="r1" />, "/", "/");
    const chart = await screen.findByRole("img", { name: "Candidate scores on the training rows" });
    expect(within(chart).getByRole("img", { name: "candidate 1 (best): 1.000 [0.879, 1.000]" })).toBeInTheDocument();
    expect(within(chart).getByRole("img", { name: "candidate 0: 0.000 [0.000, 0.121]" }).querySelector("line.whisker")).not.toBeNull();
    const rows = within(screen.getByRole("table", { name: "Candidates" })).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent("1 (best)");
    expect(rows[1]).toHaveClass("best-candidate");
    expect(rows[2]).toHaveTextContent("0.250 [0.127, 0.433]");
    expect(screen.getByLabelText("Held-out check")).toHaveTextContent("mcnemar: 12 improved, 0 regressed");
    expect(screen.getByText("Promoted")).toBeInTheDocument();
    expect(screen.getByText(/registered prompts:\/qa\/2/)).toBeInTheDocument();
    const diff = screen.getByRole("table", { name: "Diff of qa" });
    const added = diff.querySelectorAll("tr[data-kind='add']");
    expect(added).toHaveLength(1);
    expect(added[0]).toHaveTextContent("Reply with the number only.");
    expect(calls[0]?.key).toBe("GET /get-artifact");
  });

  it("says when nothing was promoted and no check ran", async () => {
    const rejected = { ...optimization, promoted: false, best_index: 0, check: null, optimized_prompts: [],
      reason: "rejected: no candidate scored above the starting prompts" };
    fakeFetch({ "GET /get-artifact": () => ({ json: rejected }) });
    renderAt(<RunOptimization runId="r1" />, "/", "/");
    expect(await screen.findByText("Not promoted")).toBeInTheDocument();
    expect(screen.getByText(/Not run \(no candidate beat the start/)).toBeInTheDocument();
    expect(screen.getByText("The start is the best: no change.")).toBeInTheDocument();
  });

  it("shows an error for an artifact it cannot read", async () => {
    fakeFetch({ "GET /get-artifact": () => ({ json: { something: "else" } }) });
    renderAt(<RunOptimization runId="r1" />, "/", "/");
    expect(await screen.findByText(/not an optimization record/)).toBeInTheDocument();
  });
});
