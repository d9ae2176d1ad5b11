import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import AlertsPage from "./AlertsPage";

afterEach(() => vi.unstubAllGlobals());

const firing = {
  rule_id: "r1",
  experiment_id: "1",
  name: "errors",
  kind: "error_rate_above",
  threshold: 0.2,
  window_seconds: 3600,
  min_samples: 1,
  enabled: true,
  state: "FIRING",
  state_since: 1_700_000_000_000,
  last_value: 0.5,
  last_samples: 4,
  last_evaluated: 1_700_000_000_000,
  creation_time: 1_700_000_000_000,
  last_update_time: 1_700_000_000_000,
};

describe("AlertsPage", () => {
  it("lists rules with their state, shows the banner and the events, and creates a rule", async () => {
    const calls = fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: { experiment: { experiment_id: "1", name: "exp" } } }),
      "GET /ajax-api/3.0/ardea/alerts/rules/list": () => ({ json: { rules: [firing] } }),
      "GET /ajax-api/3.0/ardea/alerts/events/list": () => ({
        json: {
          events: [
            { event_id: "e1", rule_id: "r1", experiment_id: "1", rule_name: "errors", kind: "FIRED", value: 0.5, threshold: 0.2, samples: 4, time: 1_700_000_000_000, sequence: 1 },
          ],
        },
      }),
      "POST /ajax-api/3.0/ardea/alerts/rules/create": (body) => ({ json: { rule: { ...firing, ...(body as object), rule_id: "r2", state: "OK" } } }),
    });
    renderAt(<AlertsPage />, "/experiments/:experimentId/alerts", "/experiments/1/alerts");

    const rules = await screen.findByRole("table", { name: "Alert rules" });
    const row = within(rules).getByText("errors").closest("tr")!;
    expect(within(row).getByText("FIRING")).toBeInTheDocument();
    expect(within(row).getByText("error rate > 20% over 1 h")).toBeInTheDocument();
    expect(within(row).getByText("50%")).toBeInTheDocument();
    const banner = await screen.findByTestId("alert-banner");
    expect(banner).toHaveTextContent("1 alert firing");
    expect(banner).toHaveTextContent("errors (error rate > 20% over 1 h; now 50%)");
    const events = await screen.findByRole("table", { name: "Alert events" });
    expect(within(events).getByText("FIRED")).toBeInTheDocument();

    fireEvent.click(screen.getByRole("button", { name: "New rule" }));
    const form = screen.getByRole("form", { name: "New alert rule" });
    fireEvent.click(within(form).getByRole("button", { name: "Create rule" }));
    expect(within(form).getByRole("alert")).toHaveTextContent("Name the rule.");
    fireEvent.change(within(form).getByLabelText("Name"), { target: { value: "slow" } });
    fireEvent.change(within(form).getByLabelText("Kind"), { target: { value: "latency_p99_above" } });
    fireEvent.change(within(form).getByLabelText("Threshold (ms)"), { target: { value: "2000" } });
    fireEvent.change(within(form).getByLabelText("Window (minutes)"), { target: { value: "5" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create rule" }));
    await vi.waitFor(() => expect(calls.some((c) => c.key === "POST /ajax-api/3.0/ardea/alerts/rules/create")).toBe(true));
    const sent = calls.find((c) => c.key === "POST /ajax-api/3.0/ardea/alerts/rules/create")!.body;
    expect(sent).toMatchObject({ experiment_id: "1", name: "slow", kind: "latency_p99_above", threshold: 2000, window_seconds: 300 });
  });

  it("shows no banner when nothing fires", async () => {
    fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: { experiment: { experiment_id: "1", name: "exp" } } }),
      "GET /ajax-api/3.0/ardea/alerts/rules/list": () => ({ json: { rules: [{ ...firing, state: "OK" }] } }),
      "GET /ajax-api/3.0/ardea/alerts/events/list": () => ({ json: { events: [] } }),
    });
    renderAt(<AlertsPage />, "/experiments/:experimentId/alerts", "/experiments/1/alerts");
    expect(await screen.findByText("OK")).toBeInTheDocument();
    expect(screen.getByText("No alert has fired yet.")).toBeInTheDocument();
    expect(screen.queryByTestId("alert-banner")).toBeNull();
  });
});
