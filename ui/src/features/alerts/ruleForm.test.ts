import { describe, expect, it } from "vitest";
import type { AlertRule } from "@ardea/api/types";
import { EMPTY_FORM, formError, formOf, ruleBody } from "./ruleForm";

const rule: AlertRule = {
  rule_id: "r1",
  experiment_id: "1",
  name: "quality",
  kind: "pass_rate_below",
  judge: "correct",
  threshold: 0.8,
  recovery_threshold: 0.85,
  window_seconds: 3600,
  min_samples: 20,
  enabled: true,
  state: "OK",
  state_since: 0,
  last_samples: 0,
  creation_time: 0,
  last_update_time: 0,
};

describe("rule form", () => {
  it("sends rates as fractions and windows in seconds", () => {
    const body = ruleBody({ ...EMPTY_FORM, name: " errors ", threshold: "20", recovery: "10", windowMinutes: "15" });
    expect(body).toMatchObject({
      name: "errors",
      kind: "error_rate_above",
      judge: null,
      threshold: 0.2,
      recovery_threshold: 0.1,
      window_seconds: 900,
      min_samples: 1,
      description: null,
    });
  });

  it("keeps milliseconds and costs as typed", () => {
    const p99 = ruleBody({ ...EMPTY_FORM, name: "slow", kind: "latency_p99_above", threshold: "2500", recovery: "" });
    expect([p99.threshold, p99.recovery_threshold]).toEqual([2500, null]);
    expect(ruleBody({ ...EMPTY_FORM, name: "c", kind: "cost_per_day_above", threshold: "12.5" }).threshold).toBe(12.5);
  });

  it("round-trips a stored rule", () => {
    const form = formOf(rule);
    expect(form).toMatchObject({ threshold: "80", recovery: "85", windowMinutes: "60", judge: "correct", minSamples: "20" });
    expect(ruleBody(form)).toMatchObject({ threshold: 0.8, recovery_threshold: 0.85, window_seconds: 3600, judge: "correct" });
  });

  it("says what is missing before sending", () => {
    expect(formError(EMPTY_FORM)).toMatch(/Name/);
    expect(formError({ ...EMPTY_FORM, name: "x", kind: "pass_rate_below", threshold: "80" })).toMatch(/judge/);
    expect(formError({ ...EMPTY_FORM, name: "x", threshold: "lots" })).toMatch(/number/);
    expect(formError({ ...EMPTY_FORM, name: "x", threshold: "5", windowMinutes: "0" })).toMatch(/window/);
    expect(formError({ ...EMPTY_FORM, name: "x", threshold: "5", minSamples: "1.5" })).toMatch(/samples/);
    expect(formError({ ...EMPTY_FORM, name: "x", threshold: "5" })).toBe("");
  });
});
