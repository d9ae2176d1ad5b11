import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import { assessment } from "@ardea/test/wire";
import { TraceAssessments } from "./TraceAssessments";

afterEach(() => vi.unstubAllGlobals());

describe("TraceAssessments", () => {
  it("lists assessments and posts new feedback with its rationale", async () => {
    const calls = fakeFetch({
      "POST /ajax-api/3.0/mlflow/traces/tr-1/assessments": (body) => ({ json: body }),
    });
    renderAt(
      <TraceAssessments
        traceId="tr-1"
        assessments={[assessment({ assessment_name: "helpful", feedback: { value: false }, rationale: "vague" })]}
      />,
      "/t",
      "/t",
    );
    expect(screen.getByRole("listitem")).toHaveTextContent("helpful: no (feedback, HUMAN · ann)vague");
    await userEvent.type(screen.getByRole("textbox", { name: "Feedback name" }), "score");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Value type" }), "number");
    await userEvent.type(screen.getByRole("textbox", { name: "Feedback value" }), "0.8");
    await userEvent.type(screen.getByRole("textbox", { name: "Rationale" }), "good enough");
    await userEvent.click(screen.getByRole("button", { name: "Add feedback" }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]!.body).toEqual({
      assessment: {
        assessment_name: "score",
        trace_id: "tr-1",
        source: { source_type: "HUMAN", source_id: "ardea-ui" },
        feedback: { value: 0.8 },
        rationale: "good enough",
      },
    });
  });

  it("refuses a non-numeric number without calling the server", async () => {
    const calls = fakeFetch({});
    renderAt(<TraceAssessments traceId="tr-1" assessments={[]} />, "/t", "/t");
    await userEvent.type(screen.getByRole("textbox", { name: "Feedback name" }), "score");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Value type" }), "number");
    await userEvent.type(screen.getByRole("textbox", { name: "Feedback value" }), "lots");
    await userEvent.click(screen.getByRole("button", { name: "Add feedback" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("is not a number");
    expect(calls).toHaveLength(0);
  });
});
