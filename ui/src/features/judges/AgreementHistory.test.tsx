import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { AgreementHistory, estimateOf, fmt } from "./AgreementHistory";
import { agreement, runs } from "./alignmentRuns.fixture";

describe("estimateOf", () => {
  it("finds a measured estimate and formats it", () => {
    expect(fmt(estimateOf(runs[0]!.after, "kappa"))).toBe("1.000");
    expect(estimateOf({}, "kappa")).toBeUndefined();
    expect(fmt(estimateOf(agreement(null, 1), "kappa"))).toBe("–");
  });
});

describe("AgreementHistory", () => {
  it("charts kappa and accuracy per run with intervals and lists each run's lineage", () => {
    render(<AgreementHistory name="cited" runs={runs} />);
    const kappa = screen.getByRole("img", { name: "Cohen's kappa per alignment run" });
    expect(within(kappa).getByRole("img", { name: "run 1 after (promoted): 1.000" })).toBeInTheDocument();
    expect(within(kappa).getByRole("img", { name: "run 2 after (rejected): -1.000" })).toBeInTheDocument();
    expect(within(kappa).getByRole("img", { name: "run 1 before: 0.000" }).querySelector("line.whisker")).not.toBeNull();
    expect(screen.getByRole("img", { name: "Accuracy per alignment run" }).querySelectorAll("g.point")).toHaveLength(4);

    const table = screen.getByRole("table", { name: "Alignment runs of cited" });
    const [first, second] = within(table).getAllByRole("row").slice(1) as [HTMLElement, HTMLElement];
    expect(first).toHaveTextContent("memalign");
    expect(first.querySelector("[data-col='labels']")).toHaveTextContent("60 (42 train, 18 held out)");
    expect(first.querySelector("[data-col='versions']")).toHaveTextContent("v1 → v2");
    expect(first.querySelector("[data-col='decision']")).toHaveTextContent("promoted");
    expect(second.querySelector("[data-col='versions']")).toHaveTextContent("v2");
    expect(second.querySelector("[data-col='decision']")).toHaveTextContent("rejected: kappa did not rise");
    expect(second).toHaveTextContent("1.000 → -1.000");
  });
});
