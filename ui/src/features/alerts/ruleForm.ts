// The alert rule form's state, and the request body it makes (rates are typed as percentages
// and sent as fractions; a window is typed in minutes and sent in seconds).
import { KINDS, type RuleKind } from "@ardea/components/alerts/describe";
import type { AlertRule } from "@ardea/api/types";

export interface RuleForm {
  name: string;
  kind: RuleKind;
  judge: string;
  threshold: string;
  recovery: string;
  windowMinutes: string;
  minSamples: string;
  enabled: boolean;
  description: string;
}

/** A blank form (an error-rate rule over an hour). */
export const EMPTY_FORM: RuleForm = {
  name: "",
  kind: "error_rate_above",
  judge: "",
  threshold: "",
  recovery: "",
  windowMinutes: "60",
  minSamples: "1",
  enabled: true,
  description: "",
};

/** The form's unit for a kind's thresholds. */
export function thresholdUnit(kind: RuleKind): string {
  const unit = KINDS[kind].unit;
  return unit === "ratio" ? "%" : unit === "ms" ? "ms" : "per day";
}

const isRate = (kind: RuleKind) => KINDS[kind].unit === "ratio";

function toWire(kind: RuleKind, text: string): number {
  const n = Number(text);
  return isRate(kind) ? n / 100 : n;
}

function fromWire(kind: RuleKind, value: number | null | undefined): string {
  if (value === null || value === undefined) return "";
  return String(isRate(kind) ? Math.round(value * 100_000) / 1000 : value);
}

/** A form filled with a rule's settings (to edit it). */
export function formOf(rule: AlertRule): RuleForm {
  return {
    name: rule.name,
    kind: rule.kind,
    judge: rule.judge ?? "",
    threshold: fromWire(rule.kind, rule.threshold),
    recovery: fromWire(rule.kind, rule.recovery_threshold),
    windowMinutes: String(rule.window_seconds / 60),
    minSamples: String(rule.min_samples),
    enabled: rule.enabled,
    description: rule.description ?? "",
  };
}

/** What is wrong with the form ("" when it can be sent; the server checks the rest). */
export function formError(f: RuleForm): string {
  if (!f.name.trim()) return "Name the rule.";
  if (f.kind === "pass_rate_below" && !f.judge.trim()) return "Name the judge (its feedback name).";
  if (f.threshold.trim() === "" || !Number.isFinite(Number(f.threshold))) return "The threshold must be a number.";
  if (f.recovery.trim() !== "" && !Number.isFinite(Number(f.recovery))) return "The recovery threshold must be a number.";
  const minutes = Number(f.windowMinutes);
  if (!Number.isFinite(minutes) || minutes < 1) return "The window is at least 1 minute.";
  if (!Number.isInteger(Number(f.minSamples)) || Number(f.minSamples) < 1) return "Minimum samples is a whole number ≥ 1.";
  return "";
}

/** The rule settings the form sends (create and update alike). */
export function ruleBody(f: RuleForm) {
  return {
    name: f.name.trim(),
    kind: f.kind,
    judge: f.kind === "pass_rate_below" ? f.judge.trim() : null,
    threshold: toWire(f.kind, f.threshold),
    recovery_threshold: f.recovery.trim() === "" ? null : toWire(f.kind, f.recovery),
    window_seconds: Math.round(Number(f.windowMinutes) * 60),
    min_samples: Number(f.minSamples),
    enabled: f.enabled,
    description: f.description.trim() || null,
  };
}
