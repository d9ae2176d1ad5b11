import { useState } from "react";
import { useCreateAlertRule, useUpdateAlertRule } from "@ardea/api/queries/alerts";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { KINDS, type RuleKind } from "@ardea/components/alerts/describe";
import type { AlertRule, RequestBody } from "@ardea/api/types";
import { EMPTY_FORM, formError, formOf, ruleBody, thresholdUnit, type RuleForm } from "./ruleForm";

const KIND_LABELS: Record<RuleKind, string> = {
  pass_rate_below: "Judge pass rate below",
  error_rate_above: "Error rate above",
  latency_p99_above: "Latency p99 above",
  cost_per_day_above: "Cost per day above",
};

interface Props {
  experimentId: string;
  /** The rule to edit; none: a new rule. */
  rule?: AlertRule;
  onDone: () => void;
}

/** The form creating a rule, or editing one. */
export function RuleEditor({ experimentId, rule, onDone }: Props) {
  const [form, setForm] = useState<RuleForm>(() => (rule ? formOf(rule) : EMPTY_FORM));
  const [problem, setProblem] = useState("");
  const create = useCreateAlertRule();
  const update = useUpdateAlertRule();
  const saving = create.isPending || update.isPending;
  const set = <K extends keyof RuleForm>(key: K, value: RuleForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const unit = thresholdUnit(form.kind);

  const submit = () => {
    const wrong = formError(form);
    setProblem(wrong);
    if (wrong) return;
    const body = ruleBody(form);
    if (rule) {
      update.mutate({ ...body, rule_id: rule.rule_id } as RequestBody<"update_rule_post">, { onSuccess: onDone });
    } else {
      create.mutate({ ...body, experiment_id: experimentId } as RequestBody<"create_rule_post">, { onSuccess: onDone });
    }
  };

  return (
    <form
      className="alert-form"
      aria-label={rule ? `Edit ${rule.name}` : "New alert rule"}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label>
        Name <input value={form.name} onChange={(e) => set("name", e.target.value)} />
      </label>
      <label>
        When{" "}
        <select aria-label="Kind" value={form.kind} onChange={(e) => set("kind", e.target.value as RuleKind)}>
          {(Object.keys(KINDS) as RuleKind[]).map((k) => (
            <option key={k} value={k}>
              {KIND_LABELS[k]}
            </option>
          ))}
        </select>
      </label>
      {form.kind === "pass_rate_below" ? (
        <label>
          Judge (feedback name) <input value={form.judge} onChange={(e) => set("judge", e.target.value)} />
        </label>
      ) : null}
      <label>
        Threshold ({unit}) <input inputMode="decimal" value={form.threshold} onChange={(e) => set("threshold", e.target.value)} />
      </label>
      <label>
        Resolve at ({unit}, optional){" "}
        <input inputMode="decimal" value={form.recovery} onChange={(e) => set("recovery", e.target.value)} />
      </label>
      <label>
        Window (minutes) <input inputMode="numeric" value={form.windowMinutes} onChange={(e) => set("windowMinutes", e.target.value)} />
      </label>
      <label>
        Minimum samples <input inputMode="numeric" value={form.minSamples} onChange={(e) => set("minSamples", e.target.value)} />
      </label>
      <label>
        <input type="checkbox" checked={form.enabled} onChange={(e) => set("enabled", e.target.checked)} /> Enabled
      </label>
      <label>
        Description <input value={form.description} onChange={(e) => set("description", e.target.value)} />
      </label>
      {problem ? (
        <div className="error-banner" role="alert">
          {problem}
        </div>
      ) : null}
      <ErrorBanner error={create.error ?? update.error} />
      <div>
        <button type="submit" disabled={saving}>
          {rule ? "Save rule" : "Create rule"}
        </button>{" "}
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
