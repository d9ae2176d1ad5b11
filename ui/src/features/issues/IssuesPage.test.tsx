import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import IssuesPage from "./IssuesPage";

afterEach(() => vi.unstubAllGlobals());

const M = "/ajax-api/3.0/mlflow/issues";
const A = "/ajax-api/3.0/ardea/issues";
const experiment = { "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: { experiment: { experiment_id: "1", name: "exp" } } }) };
const proposal = {
  name: "The assistant refused to answer the question.",
  size: 3,
  trace_ids: ["tr-a", "tr-b"],
  judges: { correct: 3 },
  cohesion: 0.9,
  examples: [{ trace_id: "tr-a", judge: "correct", rationale: "The assistant refused to answer the question.", assessment_id: "a1" }],
};
const issue = {
  issue_id: "iss-1",
  experiment_id: "1",
  name: "Wrong language",
  description: "Answers in French",
  status: "pending",
  created_timestamp: 1_700_000_000_000,
  last_updated_timestamp: 1_700_000_000_000,
  trace_count: 4,
};

describe("IssuesPage", () => {
  it("groups failing traces into proposals, creates an issue from one, and lists issues", async () => {
    const calls = fakeFetch({
      ...experiment,
      [`POST ${M}/search`]: () => ({ json: { issues: [issue] } }),
      [`POST ${A}/propose`]: () => ({ json: { proposals: [proposal], failures: 3, embedding: "tfidf-svd" } }),
      [`POST ${A}/accept`]: (body) => ({ json: { issue: { ...issue, issue_id: "iss-2", name: (body as { name: string }).name } } }),
      [`GET ${A}/traces`]: () => ({ json: { trace_ids: ["tr-x"] } }),
      [`PATCH ${M}/iss-1`]: () => ({ json: { issue: { ...issue, status: "resolved" } } }),
    });
    renderAt(<IssuesPage />, "/experiments/:experimentId/issues", "/experiments/1/issues");
    const table = await screen.findByRole("table", { name: "Issues list" });
    expect(table).toHaveTextContent("Wrong language");
    expect(table).toHaveTextContent("4");

    await userEvent.type(screen.getByRole("textbox", { name: "Judge" }), "correct");
    await userEvent.click(screen.getByRole("button", { name: "Group failing traces" }));
    const proposals = await screen.findByRole("region", { name: "Proposed issues" });
    expect(proposals).toHaveTextContent("3 failing verdicts, 1 failure modes");
    const sent = calls.find((c) => c.key === `POST ${A}/propose`)?.body as Record<string, unknown>;
    expect(sent.experiment_id).toBe("1");
    expect(sent.judge).toBe("correct");
    expect(typeof sent.start_time_ms).toBe("number");
    await userEvent.click(within(proposals).getByText(proposal.name, { selector: "strong" }));
    expect(within(proposals).getByRole("list", { name: `Traces of ${proposal.name}` })).toHaveTextContent("tr-b");

    await userEvent.click(within(proposals).getByRole("button", { name: "Create issue" }));
    expect(await within(proposals).findByText(/Issue created \(iss-2\)/)).toBeInTheDocument();
    const accepted = calls.find((c) => c.key === `POST ${A}/accept`)?.body;
    expect(accepted).toEqual({ experiment_id: "1", name: proposal.name, trace_ids: ["tr-a", "tr-b"] });

    await userEvent.click(within(table).getByRole("button", { name: "Wrong language" }));
    expect(await within(table).findByRole("list", { name: "Linked traces" })).toHaveTextContent("tr-x");
    await userEvent.click(within(table).getByRole("button", { name: "Resolve" }));
    const patched = calls.find((c) => c.key === `PATCH ${M}/iss-1`)?.body;
    expect(patched).toEqual({ issue_id: "iss-1", status: "resolved" });
  });
});
