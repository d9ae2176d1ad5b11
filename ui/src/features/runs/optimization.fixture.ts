// A prompt-optimization record as `ardea.optimize_prompts` logs it (prompt_optimization.json).
import type { Estimate, Optimization } from "./optimization";

const est = (value: number, low: number, high: number, n: number): Estimate => ({ value, low, high, n, method: "wilson" });
const START = "Answer the question.\nQuestion: {{ question }}";
const BEST = "Answer the question. Reply with the number only.\nQuestion: {{ question }}";

export const optimization: Optimization = {
  optimizer: "gepa",
  promoted: true,
  reason: "promoted: held-out mean 0.000 -> 1.000 on 12 rows (12 improved, 0 regressed, mcnemar p=0.000488, alpha=0.05)",
  best_index: 1,
  candidates: [
    { index: 0, templates: { qa: START }, score: 0, interval: est(0, 0, 0.121, 28), per_scorer: { exact: 0 } },
    { index: 1, templates: { qa: BEST }, score: 1, interval: est(1, 0.879, 1, 28), per_scorer: { exact: 1 } },
    { index: 2, templates: { qa: "Be polite.\n" + START }, score: 0.25, interval: est(0.25, 0.127, 0.433, 28), per_scorer: { exact: 0.25 } },
  ],
  check: { n: 12, baseline: est(0, 0, 0.243, 12), candidate: est(1, 0.757, 1, 12), test: "mcnemar", p_value: 0.000488, improved: 12, regressed: 0, alpha: 0.05 },
  stop_reason: null,
  interrupted: false,
  data: { digest: "abc", train: 28, holdout: 12 },
  llm_calls: 120,
  cost: 0,
  evaluations: 84,
  optimized_prompts: ["prompts:/qa/2"],
};
