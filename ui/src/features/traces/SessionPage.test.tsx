import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import SessionPage from "./SessionPage";

afterEach(() => vi.unstubAllGlobals());

const turn = (id: string, question: string, answer: string, time: string) => ({
  trace_id: id,
  request_time: time,
  state: "OK",
  request_preview: JSON.stringify({ messages: [{ role: "user", content: question }] }),
  response_preview: JSON.stringify(answer),
  trace_metadata: { "mlflow.trace.session": "s 1" },
});

describe("SessionPage", () => {
  it("shows the session's turns oldest first, each linking to its trace", async () => {
    const calls = fakeFetch({
      "POST /ajax-api/3.0/mlflow/traces/search": () => ({
        json: { traces: [turn("tr-1", "hi <b>there</b>", "hello", "2024-01-01T00:00:00Z"), turn("tr-2", "and now?", "bye", "2024-01-01T00:01:00Z")] },
      }),
    });
    renderAt(<SessionPage />, "/experiments/:experimentId/sessions/:sessionId", "/experiments/3/sessions/s%201");
    await screen.findByRole("list", { name: "Turn 2" });
    const list = screen.getByRole("list", { name: "Session turns" });
    expect(within(list).getByRole("list", { name: "Turn 1" })).toHaveTextContent("hi <b>there</b>");
    expect(within(list).getByRole("list", { name: "Turn 1" })).toHaveTextContent("hello");
    expect(within(list).getByRole("list", { name: "Turn 2" })).toHaveTextContent("and now?");
    expect(within(list).getAllByRole("link")[0]).toHaveAttribute("href", "/experiments/3/traces/tr-1");
    const search = calls.find((c) => c.key.endsWith("/traces/search"));
    expect(search!.body).toMatchObject({ filter: "session = 's 1'", order_by: ["timestamp_ms ASC"] });
  });
});
