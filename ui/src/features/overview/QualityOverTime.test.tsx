import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import { QualityOverTime } from "./QualityOverTime";

vi.mock("@ardea/components/charts/TimeChart", () => ({
  default: ({ spec }: { spec: { id: string; bands?: unknown[] } }) => (
    <div data-testid={`chart-${spec.id}`} data-bands={spec.bands?.length ?? 0} />
  ),
}));

afterEach(() => vi.unstubAllGlobals());

const bucket = { start_ms: 1000, passed: 3, total: 4, rate: 0.75, low: 0.3, high: 0.95 };

describe("QualityOverTime", () => {
  it("charts each judge with bands and regroups by the selector", async () => {
    const asked: string[] = [];
    fakeFetch({
      "GET /ajax-api/3.0/ardea/experiments/1/quality": (_b, url) => {
        const groupBy = url.searchParams.get("group_by") ?? "";
        asked.push(groupBy);
        const groups = groupBy ? ["gpt-a", null] : [null];
        return {
          json: {
            start_ms: 1000,
            end_ms: 2000,
            bucket_ms: 1000,
            group_by: groupBy,
            confidence: 0.95,
            series: groups.map((group) => ({ judge: "correct", group, overall: bucket, buckets: [bucket] })),
          },
        };
      },
    });
    renderAt(<QualityOverTime experimentId="1" startMs={1000} endMs={2000} buckets={1} />, "/", "/");
    const chart = await screen.findByTestId("chart-quality-correct");
    expect(chart).toHaveAttribute("data-bands", "1");
    const table = screen.getByRole("table", { name: "Pass rate by judge" });
    expect(within(table).getByText("75%")).toBeInTheDocument();
    expect(within(table).getByText("30% – 95%")).toBeInTheDocument();

    fireEvent.change(screen.getByLabelText("Group by"), { target: { value: "model" } });
    await vi.waitFor(() => expect(screen.getByTestId("chart-quality-correct")).toHaveAttribute("data-bands", "2"));
    expect(within(screen.getByRole("table", { name: "Pass rate by judge" })).getByText("gpt-a")).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText("Group by"), { target: { value: "tag" } });
    fireEvent.change(screen.getByLabelText("Tag key"), { target: { value: "env" } });
    await vi.waitFor(() => expect(asked).toContain("tag:env"));
    expect(asked).toContain("model");
  });
});
