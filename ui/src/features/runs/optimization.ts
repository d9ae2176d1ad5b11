// The lineage `ardea.optimize_prompts` logs to its run (artifact prompt_optimization.json),
// read for the run page's optimization view.

/** A mean with its confidence interval (Ardea's Estimate as JSON). */
export interface Estimate {
  value: number | null;
  low: number | null;
  high: number | null;
  n: number;
  method?: string;
}

/** One candidate the search scored on the training rows. */
export interface OptimizationCandidate {
  index: number;
  templates: Record<string, string>;
  score: number;
  interval: Estimate;
  per_scorer: Record<string, number>;
}

/** The held-out check of the best candidate against the starting prompts. */
export interface HeldOutCheck {
  n: number;
  baseline: Estimate;
  candidate: Estimate;
  test: string;
  p_value: number;
  improved: number;
  regressed: number;
  alpha: number;
}

/** What the artifact holds. */
export interface Optimization {
  optimizer: string;
  promoted: boolean;
  reason: string;
  best_index: number;
  candidates: OptimizationCandidate[];
  check: HeldOutCheck | null;
  stop_reason: string | null;
  interrupted: boolean;
  data: Record<string, unknown>;
  llm_calls: number;
  cost: number;
  evaluations: number;
  optimized_prompts: string[];
}

/** The run tag that marks an optimization run, and the artifact with its lineage. */
export const OPTIMIZER_TAG = "ardea.optimization.optimizer";
export const OPTIMIZATION_ARTIFACT = "prompt_optimization.json";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The artifact's JSON as an Optimization; throws on a shape it does not have. */
export function parseOptimization(text: string): Optimization {
  const data: unknown = JSON.parse(text);
  if (!isRecord(data) || !Array.isArray(data.candidates) || data.candidates.length === 0) {
    throw new Error("not an optimization record: no candidates");
  }
  for (const c of data.candidates) {
    if (!isRecord(c) || typeof c.score !== "number" || !isRecord(c.templates) || !isRecord(c.interval)) {
      throw new Error("not an optimization record: a candidate without score or templates");
    }
  }
  return data as unknown as Optimization;
}

/** The starting prompts (candidate 0) and the winner. */
export function startAndBest(o: Optimization): { start: OptimizationCandidate; best: OptimizationCandidate } {
  const start = o.candidates[0]!;
  const best = o.candidates.find((c) => c.index === o.best_index) ?? start;
  return { start, best };
}

/** The prompt names whose template the winner changed. */
export function changedPrompts(o: Optimization): string[] {
  const { start, best } = startAndBest(o);
  return Object.keys(best.templates)
    .filter((name) => best.templates[name] !== start.templates[name])
    .sort();
}

/** A score for display: 3 decimals, "–" when missing. */
export function fmtScore(v: number | null | undefined): string {
  return typeof v === "number" && Number.isFinite(v) ? v.toFixed(3) : "–";
}

/** `value [low, high]` of an estimate. */
export function fmtEstimate(e: Estimate): string {
  const range = e.low !== null && e.high !== null ? ` [${fmtScore(e.low)}, ${fmtScore(e.high)}]` : "";
  return `${fmtScore(e.value)}${range}`;
}
