import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import CompareChart from "./CompareChart";

// uPlot reads the device pixel ratio through matchMedia when it loads; jsdom has none.
vi.hoisted(() => {
  const mq = { matches: false, addEventListener() {}, removeEventListener() {}, addListener() {}, removeListener() {} };
  if (!window.matchMedia) Object.defineProperty(window, "matchMedia", { value: () => mq });
});

describe("CompareChart", () => {
  it("renders nothing (and does not throw) before any run is known", () => {
    render(
      <QueryClientProvider client={new QueryClient()}>
        <CompareChart runs={[]} metricKey="acc" x="step" log={false} />
      </QueryClientProvider>,
    );
    expect(screen.getByTestId("compare-chart")).toBeEmptyDOMElement();
  });
});
