import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import QueuesPage from "./QueuesPage";
import ReviewPage from "./ReviewPage";

afterEach(() => vi.unstubAllGlobals());

const R = "/ajax-api/3.0/ardea/review";
const queue = {
  queue_id: "q1",
  experiment_id: "1",
  name: "wrong answers",
  creation_time: 1_700_000_000_000,
  last_update_time: 1_700_000_000_000,
  label_schemas: [
    { name: "correct", type: "pass_fail", title: "Correct?", required: true },
    { name: "tone", type: "categorical", title: "Tone", required: false, options: ["polite", "curt"] },
  ],
};
const progress = { queue_id: "q1", total: 2, pending: 1, done: 1, skipped: 0, reviewers: [{ reviewer: "ann", total: 2, pending: 1, done: 1, skipped: 0 }] };
const item = (id: string, position: number, state = "pending") => ({
  item_id: id,
  queue_id: "q1",
  trace_id: `tr-${id}`,
  state,
  position,
  source: "judge",
  creation_time: 1,
  assessment_ids: [],
});
const experiment = { "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: { experiment: { experiment_id: "1", name: "exp" } } }) };

describe("ReviewPage", () => {
  it("labels the next item with the keyboard, shows the judge's verdict, and moves on", async () => {
    let nexts = 0;
    const calls = fakeFetch({
      ...experiment,
      [`GET ${R}/queues/get`]: () => ({ json: { queue, progress } }),
      [`GET ${R}/items/next`]: (_b, url) => {
        nexts += 1;
        expect(url.searchParams.get("queue_id")).toBe("q1");
        return { json: nexts === 1 ? { item: item("i1", 1) } : {} };
      },
      [`GET ${R}/items/get`]: (_b, url) => ({ json: { item: item(url.searchParams.get("item_id") ?? "", 1), queue } }),
      "GET /ajax-api/3.0/ardea/traces/tr-i1/spans": () => ({ json: { spans: [] } }),
      "GET /ajax-api/3.0/mlflow/traces/tr-i1": () => ({
        json: {
          trace: {
            trace_info: {
              trace_id: "tr-i1",
              assessments: [
                { assessment_id: "a", assessment_name: "safe", valid: true, source: { source_type: "LLM_JUDGE", source_id: "gpt" }, feedback: { value: "no" }, rationale: "rude reply" },
              ],
            },
          },
        },
      }),
      [`POST ${R}/items/submit`]: (body) => ({ json: { item: { ...item((body as { item_id: string }).item_id, 1, "done"), assessment_ids: ["h1", "h2"] } } }),
    });
    renderAt(<ReviewPage />, "/experiments/:experimentId/review/:queueId/work", "/experiments/1/review/q1/work");
    const shown = await screen.findByTestId("review-item");
    expect(shown).toHaveAttribute("data-item-id", "i1");
    expect(await screen.findByRole("list", { name: "Judge verdicts" })).toHaveTextContent("rude reply");
    const submit = screen.getByRole("button", { name: "Submit (Enter)" });
    expect(submit).toBeDisabled(); // "correct" is required
    await userEvent.keyboard("f2");
    expect(screen.getByRole("radio", { name: "Fail (f)" })).toBeChecked();
    expect(screen.getByRole("radio", { name: /curt/ })).toBeChecked();
    await userEvent.keyboard("{Enter}");
    expect(await screen.findByTestId("review-notice")).toHaveTextContent("All done");
    const sent = calls.filter((c) => c.key === `POST ${R}/items/submit`);
    expect(sent.map((c) => c.body)).toEqual([{ item_id: "i1", labels: { correct: false, tone: "curt" } }]);
    await userEvent.keyboard("?");
    expect(screen.getByRole("dialog", { name: "Keyboard shortcuts" })).toHaveTextContent("skip the item");
  });
});

describe("QueuesPage", () => {
  it("lists the queues with their progress", async () => {
    fakeFetch({
      ...experiment,
      [`GET ${R}/queues/list`]: () => ({ json: { queues: [queue], progress: [progress] } }),
    });
    renderAt(<QueuesPage />, "/experiments/:experimentId/review", "/experiments/1/review");
    const table = await screen.findByRole("table", { name: "Review queues" });
    expect(table).toHaveTextContent("wrong answers");
    expect(screen.getByRole("progressbar", { name: "Progress of wrong answers" })).toHaveAttribute("aria-valuenow", "1");
    expect(screen.getByTestId("progress-text")).toHaveTextContent("1 done · 0 skipped · 1 left of 2");
    expect(within(table).getByRole("link", { name: "Review" })).toHaveAttribute("href", "/experiments/1/review/q1/work");
  });
});
