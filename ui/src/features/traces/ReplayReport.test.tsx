import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderAt } from "@ardea/test/render";
import { ReplayReport } from "./ReplayReport";
import { markLines, parseReplayReport, REPLAY_RESULT_TAG } from "./replayReport";

const diverged = {
  source_trace_id: "tr-rec",
  mode: "all",
  passed: false,
  served: 1,
  steps: [
    ["llm", "Completions", true, true],
    ["tool", "get_weather", false, false],
    ["llm", "Completions", false, false],
  ],
  divergence: {
    kind: "different_call",
    step: 1,
    span_name: "get_weather",
    message: "tool call 'get_weather' with different inputs",
    expected: '{\n  "inputs": {\n    "city": "Paris"\n  }\n}',
    got: '{\n  "inputs": {\n    "city": "Oslo"\n  }\n}',
  },
};

describe("ReplayReport", () => {
  it("reads the report from the tag and ignores other tags", () => {
    expect(parseReplayReport({ [REPLAY_RESULT_TAG]: JSON.stringify(diverged) })?.divergence?.step).toBe(1);
    expect(parseReplayReport({ other: "x" })).toBeNull();
    expect(parseReplayReport({ [REPLAY_RESULT_TAG]: "not json" })).toBeNull();
  });

  it("marks the lines one side does not have", () => {
    expect(markLines("a\nb\nc", "a\nx\nc").map((l) => l.changed)).toEqual([false, true, false]);
  });

  it("shows the divergence point with the recorded and new call side by side", () => {
    const report = parseReplayReport({ [REPLAY_RESULT_TAG]: JSON.stringify(diverged) })!;
    renderAt(<ReplayReport experimentId="1" report={report} />, "/t", "/t");
    const region = screen.getByRole("region", { name: "Replay report" });
    expect(region.querySelector('[data-status="diverged"]')).toBeInTheDocument();
    expect(within(region).getByRole("link", { name: "tr-rec" })).toHaveAttribute("href", "/experiments/1/traces/tr-rec");
    expect(screen.getByTestId("replay-divergence")).toHaveTextContent("Diverged at step 1 (get_weather): a different call");
    const recorded = screen.getByTestId("replay-recorded");
    const fresh = screen.getByTestId("replay-new");
    expect(recorded.querySelector("[data-changed]")).toHaveTextContent('"city": "Paris"');
    expect(fresh.querySelector("[data-changed]")).toHaveTextContent('"city": "Oslo"');
    const rows = within(region).getAllByRole("row").slice(1);
    expect(rows.map((r) => r.lastElementChild?.textContent)).toEqual(["served", "diverged", "not reached"]);
  });

  it("reports a passing replay without a divergence", () => {
    const passed = { ...diverged, passed: true, served: 3, divergence: undefined, steps: diverged.steps.map(([k, n]) => [k, n, true, true]) };
    renderAt(<ReplayReport experimentId="1" report={passed as never} />, "/t", "/t");
    expect(document.querySelector('[data-status="passed"]')).toBeInTheDocument();
    expect(screen.queryByTestId("replay-divergence")).toBeNull();
  });
});
