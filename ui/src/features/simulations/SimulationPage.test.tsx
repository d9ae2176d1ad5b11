import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import SimulationPage from "./SimulationPage";

afterEach(() => vi.unstubAllGlobals());

const turn = (id: string, session: string, goal: string, user: string, answer: string, time: string, tags: Record<string, string> = {}, assessments: unknown[] = []) => ({
  trace_id: id,
  request_time: time,
  state: "OK",
  request_preview: user,
  response_preview: answer,
  tags: { "ardea.simulation": "true", ...tags },
  assessments,
  trace_metadata: { "mlflow.trace.session": session, "mlflow.simulation.goal": goal, "mlflow.simulation.persona": "A busy nurse" },
});

const score = (session: string) => ({
  assessment_id: "a-1",
  assessment_name: "conversation_completeness",
  feedback: { value: "yes" },
  rationale: "all answered",
  metadata: { "mlflow.trace.session": session },
  valid: true,
});

const TRACES = [
  // Out of order on purpose: turns are sorted by time within a conversation.
  turn("t-2", "s-a", "Reset password", "second ask", "DONE: reset", "2024-01-01T00:00:02Z"),
  turn("t-1", "s-a", "Reset password", "first ask", "which account?", "2024-01-01T00:00:01Z", { "ardea.simulation.outcome": "goal_reached", "ardea.simulation.reason": "the assistant delivered" }, [score("s-a")]),
  turn("t-3", "s-b", "Get a refund", "refund please", "tell me more", "2024-01-01T00:00:05Z", { "ardea.simulation.outcome": "abandoned", "ardea.simulation.reason": "gave up" }),
];

describe("SimulationPage", () => {
  it("shows each conversation as a transcript with its goal, persona, outcome and scores", async () => {
    const calls = fakeFetch({ "POST /ajax-api/3.0/mlflow/traces/search": () => ({ json: { traces: TRACES } }) });
    renderAt(<SimulationPage />, "/experiments/:experimentId/simulations/:runId", "/experiments/3/simulations/r-1");
    const first = await screen.findByRole("listitem", { name: "Conversation 1" });
    expect(first).toHaveTextContent("Reset password");
    expect(first).toHaveTextContent("A busy nurse");
    expect(first).toHaveTextContent("goal_reached");
    expect(first).toHaveTextContent("the assistant delivered");
    expect(within(first).getByRole("list", { name: "Conversation 1 scores" })).toHaveTextContent("conversation_completeness yes");
    const transcript = within(first).getByRole("list", { name: "Conversation 1 transcript" });
    expect(transcript.textContent!.indexOf("first ask")).toBeLessThan(transcript.textContent!.indexOf("second ask"));
    expect(within(first).getByRole("link", { name: "Session s-a" })).toHaveAttribute("href", "/experiments/3/sessions/s-a");
    expect(screen.getByLabelText("Outcomes")).toHaveTextContent("2 conversations: goal_reached 1, abandoned 1");
    const search = calls.find((c) => c.key.endsWith("/traces/search"));
    expect(search!.body).toMatchObject({ filter: "tags.`ardea.simulation.run` = 'r-1'", order_by: ["timestamp_ms ASC"] });
  });

  it("filters to the conversations that failed their goal", async () => {
    fakeFetch({ "POST /ajax-api/3.0/mlflow/traces/search": () => ({ json: { traces: TRACES } }) });
    renderAt(<SimulationPage />, "/experiments/:experimentId/simulations/:runId", "/experiments/3/simulations/r-1");
    await screen.findByRole("listitem", { name: "Conversation 1" });
    await userEvent.click(screen.getByRole("checkbox", { name: "Failed goals only" }));
    const list = screen.getByRole("list", { name: "Conversations" });
    expect(within(list).queryByRole("listitem", { name: "Conversation 1" })).toBeNull();
    expect(within(list).getByRole("listitem", { name: "Conversation 2" })).toHaveTextContent("abandoned");
  });
});
