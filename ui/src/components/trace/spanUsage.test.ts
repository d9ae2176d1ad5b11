import { describe, expect, it } from "vitest";
import { formatCost, spanUsage } from "./spanUsage";

describe("spanUsage", () => {
  it("reads tokens, cost, model and provider (JSON-encoded as MLflow writes them)", () => {
    const attrs = new Map<string, unknown>([
      ["mlflow.chat.tokenUsage", '{"input_tokens": 12, "output_tokens": 30, "total_tokens": 42}'],
      ["mlflow.llm.cost", '{"input_cost": 0.001, "output_cost": 0.002, "total_cost": 0.003}'],
      ["mlflow.llm.model", '"gpt-4o-mini"'],
      ["mlflow.llm.provider", "openai"],
    ]);
    expect(spanUsage(attrs)).toEqual({ inputTokens: 12, outputTokens: 30, totalTokens: 42, cost: 0.003, model: "gpt-4o-mini", provider: "openai" });
  });
  it("adds up a missing total and is empty without usage", () => {
    expect(spanUsage(new Map([["mlflow.chat.tokenUsage", { input_tokens: 2, output_tokens: 3 }]])).totalTokens).toBe(5);
    expect(spanUsage(new Map())).toEqual({});
  });
  it("formats costs", () => {
    expect(formatCost(0.00123)).toBe("$0.0012");
    expect(formatCost(3.5)).toBe("$3.50");
    expect(formatCost(undefined)).toBe("");
  });
});
