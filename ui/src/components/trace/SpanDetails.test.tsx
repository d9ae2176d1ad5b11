import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { OtelSpan } from "@ardea/api/types";
import { SpanDetails } from "./SpanDetails";

const str = (key: string, value: string) => ({ key, value: { string_value: value } });

const span: OtelSpan = {
  kind: "SPAN_KIND_INTERNAL",
  trace_id: "t",
  span_id: "ASNFZ4mrze8=",
  name: "chat",
  start_time_unix_nano: 1_000_000_000,
  end_time_unix_nano: 1_250_000_000,
  attributes: [
    str("mlflow.spanType", '"CHAT_MODEL"'),
    str("mlflow.spanInputs", JSON.stringify({ messages: [{ role: "user", content: "What is a heron?" }] })),
    str("mlflow.spanOutputs", JSON.stringify({ choices: [{ message: { role: "assistant", content: "A bird." } }] })),
    str("mlflow.chat.tokenUsage", '{"input_tokens": 5, "output_tokens": 7, "total_tokens": 12}'),
    str("mlflow.llm.cost", '{"total_cost": 0.0004}'),
    str("custom", '{"k": [1, 2]}'),
  ],
  events: [
    {
      name: "exception",
      time_unix_nano: 1_200_000_000,
      attributes: [str("exception.type", "ValueError"), str("exception.message", "bad"), str("exception.stacktrace", "Traceback\n  line 1")],
    },
  ],
  status: { code: "STATUS_CODE_ERROR", message: "bad" },
};

describe("SpanDetails", () => {
  it("renders chat messages as a conversation, with a switch to the JSON", async () => {
    render(<SpanDetails span={span} />);
    const inputs = screen.getByTestId("span-inputs");
    const conv = within(inputs).getByRole("list", { name: "Inputs conversation" });
    expect(conv).toHaveTextContent("user");
    expect(conv).toHaveTextContent("What is a heron?");
    expect(within(screen.getByTestId("span-outputs")).getByRole("listitem")).toHaveTextContent("assistantA bird.");
    await userEvent.click(within(screen.getByRole("heading", { name: /Inputs/ })).getByRole("button", { name: "Show JSON" }));
    expect(within(inputs).queryByRole("list")).toBeNull();
    expect(inputs).toHaveTextContent('"What is a heron?"');
  });

  it("shows tokens, cost, the span id in hex and exceptions with their stack trace", () => {
    render(<SpanDetails span={span} />);
    expect(screen.getByTestId("span-tokens")).toHaveTextContent("12 (5 in, 7 out)");
    expect(screen.getByTestId("span-cost")).toHaveTextContent("$0.0004");
    expect(screen.getByText("0123456789abcdef")).toBeInTheDocument();
    const exc = screen.getByRole("group", { name: "Exception" });
    expect(exc).toHaveTextContent("ValueError: bad");
    expect(exc.querySelector("pre")!.textContent).toBe("Traceback\n  line 1");
    expect(screen.getByRole("table", { name: "Span attributes" })).toHaveTextContent("custom");
    expect(screen.getByRole("table", { name: "Span attributes" })).not.toHaveTextContent("mlflow.chat.tokenUsage");
  });

  it("shows an unset status as a neutral badge and an error as a red one", () => {
    const { unmount } = render(<SpanDetails span={{ ...span, status: { code: "STATUS_CODE_UNSET", message: "" } }} />);
    const unset = screen.getByText("unset");
    expect(unset).toHaveClass("status-badge", "tone-neutral");
    unmount();
    render(<SpanDetails span={span} />);
    expect(screen.getByText("ERROR")).toHaveClass("tone-error");
  });
});
