// Two alignment runs of the judge "cited" (promoted, then rejected), for the judges page tests.
import type { JudgeAlignment } from "@ardea/api/types";

const est = (name: string, value: number | null, low: number | null = null, high: number | null = null) => ({
  name,
  value,
  low,
  high,
  confidence: 0.95,
  method: "wilson",
  n: 18,
});
export const agreement = (kappa: number | null, accuracy: number) => ({
  labels: ["False", "True"],
  confusion: [
    [9, 0],
    [0, 9],
  ],
  n: 18,
  n_missing: 0,
  positive: "True",
  estimates: [est("accuracy", accuracy, accuracy - 0.2, Math.min(1, accuracy + 0.1)), est("kappa", kappa, kappa === null ? null : kappa - 0.3, 1)],
});

export const runs: JudgeAlignment[] = [
  {
    alignment_id: "a-1",
    experiment_id: "1",
    name: "cited",
    optimizer: "memalign",
    params: { retrieval_k: 5 },
    base_version: 1,
    new_version: 2,
    promoted: true,
    reason: "promoted: kappa 0.000 -> 1.000, accuracy 0.500 -> 1.000 on 18 held-out rows",
    labels: { count: 60, train: 42, holdout: 18 },
    before: agreement(0, 0.5),
    after: agreement(1, 1),
    creation_time: 1_700_000_000_000,
  },
  {
    alignment_id: "a-2",
    experiment_id: "1",
    name: "cited",
    optimizer: "gepa",
    params: {},
    base_version: 2,
    new_version: null,
    promoted: false,
    reason: "rejected: kappa did not rise above 1.000",
    labels: { count: 40, train: 28, holdout: 12 },
    before: agreement(1, 1),
    after: agreement(-1, 0),
    creation_time: 1_700_000_100_000,
  },
];

