import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { SessionForTests } from "@ardea/hooks/session";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import JudgeBuilderPage, { agrees, humanLabel, showValue } from "./JudgeBuilderPage";
import { serializeJudge } from "./judgeJson";

afterEach(() => vi.unstubAllGlobals());

const PATTERN = "/experiments/:experimentId/judges/builder";

const trace = (id: string, label?: boolean) => ({
  trace_id: id,
  request_preview: `question ${id}`,
  request_time: "2024-01-01T12:00:00Z",
  state: "OK",
  tags: {},
  trace_metadata: {},
  trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: "1" } },
  assessments:
    label === undefined
      ? []
      : [
          {
            assessment_id: `a-${id}`,
            assessment_name: "correct",
            trace_id: id,
            create_time: "2024-01-01T00:00:00Z",
            last_update_time: "2024-01-01T00:00:00Z",
            metadata: {},
            valid: true,
            source: { source_type: "HUMAN", source_id: "alice" },
            feedback: { value: label },
          },
        ],
});

const estimate = (name: string, value: number) => ({ name, value, low: value - 0.2, high: Math.min(1, value + 0.2), confidence: 0.95, method: "wilson", n: 2 });

function routes(extra: Record<string, Parameters<typeof fakeFetch>[0][string]> = {}) {
  return fakeFetch({
    "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: { experiment: { experiment_id: "1", name: "exp" } } }),
    "GET /ajax-api/3.0/ardea/judges/models": () => ({ json: { providers: ["openai"], default_model: "openai:/gpt-4.1-mini" } }),
    "POST /ajax-api/3.0/mlflow/traces/search": () => ({ json: { traces: [trace("tr-1", true), trace("tr-2", false), trace("tr-3")] } }),
    ...extra,
  });
}

describe("helpers", () => {
  it("find the latest human label and compare verdicts with labels", () => {
    expect(humanLabel(trace("t", false) as never, "correct")).toBe(false);
    expect(humanLabel(trace("t", false) as never, "other")).toBeUndefined();
    expect(agrees(true, "yes")).toBe(true);
    expect(agrees(true, false)).toBe(false);
    expect(agrees("good", "good")).toBe(true);
    expect(showValue(true)).toBe("yes");
    expect(showValue(null)).toBe("—");
  });
});

describe("JudgeBuilderPage", () => {
  it("inserts variables, runs the draft on picked traces and saves it as a scorer", async () => {
    let previewBody: Record<string, unknown> = {};
    let registered: Record<string, unknown> = {};
    routes({
      "POST /ajax-api/3.0/ardea/judges/preview": (body) => {
        previewBody = body as Record<string, unknown>;
        return {
          json: {
            name: "correct",
            model: "openai:/gpt-4.1-mini",
            rows: [
              { trace_id: "tr-1", value: true, rationale: "fine", error: null, cost: 0.001, tokens: 10, human: { value: true, source_id: "alice" }, request_preview: "question tr-1" },
              { trace_id: "tr-2", value: true, rationale: "fine", error: null, cost: 0.001, tokens: 10, human: { value: false, source_id: "alice" }, request_preview: "question tr-2" },
            ],
            agreement: { labels: ["False", "True"], confusion: [[0, 1], [0, 1]], n: 2, n_missing: 0, positive: "True", estimates: [estimate("accuracy", 0.5), estimate("kappa", 0)] },
            totals: { judged: 2, errors: 0, tokens: 20, cost: 0.002 },
          },
        };
      },
      "POST /ajax-api/3.0/mlflow/scorers/register": (body) => {
        registered = body as Record<string, unknown>;
        return { json: { version: 1, scorer_id: "s", experiment_id: "1", name: "correct", serialized_scorer: "{}", creation_time: 1 } };
      },
    });
    renderAt(<JudgeBuilderPage />, PATTERN, "/experiments/1/judges/builder");
    await userEvent.type(screen.getByLabelText(/^Name/), "correct");
    const editor = screen.getByLabelText("Instructions") as HTMLTextAreaElement;
    fireEvent.change(editor, { target: { value: "Check " } });
    editor.setSelectionRange(6, 6);
    await userEvent.click(within(screen.getByRole("group", { name: "Template variables" })).getByRole("button", { name: "{{ trace }}" }));
    expect(editor.value).toBe("Check {{ trace }}");
    expect(await screen.findByTestId("providers")).toHaveTextContent("openai");

    const picker = await screen.findByRole("table", { name: "Traces" });
    expect(picker.querySelector("tr[data-trace='tr-1'] td[data-col='human']")).toHaveTextContent("yes");
    expect(picker.querySelector("tr[data-trace='tr-1']")).toHaveTextContent("2024-01-01"); // ISO request_time shown
    const run = screen.getByRole("button", { name: /^Run on/ });
    expect(run).toBeDisabled();
    await userEvent.click(screen.getByRole("checkbox", { name: "Select tr-1" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Select tr-2" }));
    await userEvent.click(screen.getByRole("button", { name: "Run on 2 traces" }));
    const verdicts = await screen.findByRole("table", { name: "Verdicts" });
    expect(previewBody).toMatchObject({ experiment_id: "1", name: "correct", model: "openai:/gpt-4.1-mini", feedback_value_type: "boolean", trace_ids: ["tr-1", "tr-2"] });
    expect(verdicts.querySelector("tr[data-trace='tr-2']")).toHaveTextContent("disagrees");
    expect(screen.getByRole("table", { name: "Agreement" })).toHaveTextContent("50%");
    expect(screen.getByTestId("preview-totals")).toHaveTextContent("20 tokens");

    await userEvent.click(screen.getByRole("button", { name: "Save as scorer" }));
    expect(await screen.findByTestId("saved")).toHaveTextContent("Saved correct version 1");
    expect(registered.name).toBe("correct");
    const json = JSON.parse(String(registered.serialized_scorer));
    expect(json.instructions_judge_pydantic_data.instructions).toBe("Check {{ trace }}");
  });

  it("opens a registered judge version to edit", async () => {
    const serialized = serializeJudge({ name: "tone", instructions: "Tone of {{ outputs }}", model: "openai:/gpt-4.1", kind: "categorical", categories: ["warm", "cold"] });
    routes({
      "GET /ajax-api/3.0/mlflow/scorers/get": (_b, url) => {
        expect(url.searchParams.get("version")).toBe("3");
        return { json: { scorer: { experiment_id: 1, scorer_name: "tone", scorer_version: 3, scorer_id: "s", creation_time: 1, serialized_scorer: serialized } } };
      },
    });
    renderAt(<JudgeBuilderPage />, PATTERN, "/experiments/1/judges/builder?name=tone&version=3");
    expect(await screen.findByTestId("editing")).toHaveTextContent("tone version 3");
    expect(screen.getByLabelText(/^Name/)).toHaveValue("tone");
    expect(screen.getByLabelText("Instructions")).toHaveValue("Tone of {{ outputs }}");
    expect(screen.getByLabelText(/^Categories/)).toHaveValue("warm, cold");
    expect(screen.getByLabelText(/^Model/)).toHaveValue("openai:/gpt-4.1");
  });

  it("disables Run and Save for a reader, saying why", async () => {
    routes({
      "GET /ajax-api/3.0/ardea/auth/access/batch": (_b, url) => ({
        json: { levels: url.searchParams.getAll("resource_id").map((id) => ({ resource_id: id, permission: "READ" })) },
      }),
    });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <SessionForTests value={{ status: "signedIn", authEnabled: true, user: { id: 2, username: "ada", is_admin: false } }}>
          <MemoryRouter initialEntries={["/experiments/1/judges/builder"]}>
            <Routes>
              <Route path={PATTERN} element={<JudgeBuilderPage />} />
            </Routes>
          </MemoryRouter>
        </SessionForTests>
      </QueryClientProvider>,
    );
    await userEvent.type(screen.getByLabelText(/^Name/), "correct");
    const save = screen.getByRole("button", { name: "Save as scorer" });
    await waitFor(() => expect(save).toHaveAttribute("title", "You need EDIT on this experiment to run or save a judge; you have READ."));
    expect(save).toBeDisabled();
    await userEvent.click(await screen.findByRole("checkbox", { name: "Select tr-1" }));
    expect(screen.getByRole("button", { name: "Run on 1 trace" })).toBeDisabled();
  });
});
