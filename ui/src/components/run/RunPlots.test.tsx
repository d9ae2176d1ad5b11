import { fireEvent, render, screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { run as wireRun } from "@ardea/test/wire";
import { ParallelCoordinates, ScatterPlot } from "./RunPlots";

const run = (id: string, name: string, lr: string, acc: number) =>
  wireRun({ run_id: id, run_name: name }, { params: { lr }, metrics: { acc } });
// Plots are 800 px wide until measured; padding 60 left/right, 24 top, 28 bottom, 320 high:
// run a sits at the bottom-left (60, 292), run b at the top-right (740, 24).
// jsdom has no 2D canvas; the plots skip drawing without one (hover works on their geometry).
beforeEach(() => {
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue(null);
  return () => vi.restoreAllMocks();
});

const runs = [run("a", "<b>run-a</b>", "0.1", 0.5), run("b", "run-b", "0.2", 0.9)];

describe("ScatterPlot hover", () => {
  it("shows the nearest run's name and x/y values as text, and hides off the dots", () => {
    render(<ScatterPlot runs={runs} x="param:lr" y="metric:acc" />);
    const canvas = screen.getByTestId("scatter-plot");
    fireEvent.mouseMove(canvas, { clientX: 62, clientY: 290 });
    const tip = screen.getByRole("tooltip");
    expect(tip.textContent).toBe("<b>run-a</b>\nlr: 0.1\nacc: 0.5");
    expect(tip.querySelector("b")).toBeNull();
    fireEvent.mouseMove(canvas, { clientX: 738, clientY: 26 });
    expect(screen.getByRole("tooltip").textContent).toContain("run-b");
    fireEvent.mouseMove(canvas, { clientX: 400, clientY: 150 });
    expect(screen.queryByRole("tooltip")).toBeNull();
  });
});

describe("ParallelCoordinates hover", () => {
  it("names the run whose line is under the pointer and bolds it in the legend", () => {
    render(<ParallelCoordinates runs={runs} dims={["param:lr", "metric:acc"]} />);
    const canvas = screen.getByTestId("parallel-coordinates");
    fireEvent.mouseMove(canvas, { clientX: 400, clientY: 27 });
    expect(screen.getByRole("tooltip").textContent).toBe("run-b\nlr: 0.2\nacc: 0.9");
    expect(screen.getByText("■ run-b")).toHaveStyle({ fontWeight: "700" });
    fireEvent.mouseLeave(canvas);
    expect(screen.queryByRole("tooltip")).toBeNull();
  });
});
