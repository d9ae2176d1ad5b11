import { useMemo, useRef, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useJudgeModels, usePreviewJudge, useRegisterScorer, useScorer } from "@ardea/api/queries/judges";
import { useTracesPages } from "@ardea/api/queries/traces";
import type { JudgeAgreement, JudgePreview, TraceInfo } from "@ardea/api/types";
import { ExperimentHeader } from "@ardea/components/experiment/ExperimentHeader";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime } from "@ardea/lib/format";
import { judgesPath, tracePath } from "@ardea/lib/paths";
import { useCan } from "@ardea/hooks/useCan";
import { EstimateBar } from "./EstimateBar";
import { TEMPLATE_VARIABLES, VALUE_KINDS, parseJudge, serializeJudge, type JudgeDraft, type ValueKind } from "./judgeJson";
import "./judges.css";

/** Traces one preview may judge (the server's limit). */
export const MAX_TRACES = 50;
/** Recent traces offered in the picker. */
const PICKER_SIZE = 100;

const DEFAULT_INSTRUCTIONS = "Does the answer in {{ outputs }} correctly and fully answer the question in {{ inputs }}?";

/** The trace's latest valid HUMAN feedback named `name` (its value), or undefined. */
export function humanLabel(info: TraceInfo, name: string): unknown {
  const found = (info.assessments ?? [])
    .filter((a) => a.assessment_name === name && a.valid !== false && a.feedback && a.source?.source_type === "HUMAN")
    .sort((a, b) => String(b.create_time).localeCompare(String(a.create_time)))[0];
  return found?.feedback?.value;
}

/** A value as a short label (`yes`/`no` for booleans). */
export function showValue(value: unknown): string {
  if (value === undefined || value === null) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Whether a verdict and a human label agree (booleans against yes/no/pass/fail words too). */
export function agrees(verdict: unknown, human: unknown): boolean {
  const norm = (v: unknown) => {
    if (typeof v === "string") {
      const w = v.trim().toLowerCase();
      if (["yes", "true", "pass", "passed"].includes(w)) return true;
      if (["no", "false", "fail", "failed"].includes(w)) return false;
    }
    return v;
  };
  return JSON.stringify(norm(verdict)) === JSON.stringify(norm(human));
}

function AgreementPanel({ agreement }: { agreement: JudgeAgreement | null | undefined }) {
  if (!agreement) {
    return (
      <p className="muted" data-testid="no-agreement">
        None of these traces has a human label of this name: label some (as HUMAN feedback) to see how well the judge agrees.
      </p>
    );
  }
  const titles: Record<string, string> = {
    accuracy: "Accuracy",
    kappa: "Cohen's kappa",
    weighted_kappa: "Weighted kappa",
    tpr: "TPR (sensitivity)",
    tnr: "TNR (specificity)",
    precision: "Precision",
    npv: "NPV",
    f1: "F1",
  };
  const pct = (v: number | null) => (v === null ? "—" : `${(v * 100).toFixed(0)}%`);
  return (
    <div data-testid="agreement">
      <p>
        Agreement with human labels on <strong>{agreement.n}</strong> trace{agreement.n === 1 ? "" : "s"}
        {agreement.n_missing ? ` (${agreement.n_missing} without a verdict)` : ""}
      </p>
      <table className="plain agreement" aria-label="Agreement">
        <thead>
          <tr>
            <th>Measure</th>
            <th>Value</th>
            <th>95% interval</th>
            <th aria-label="Chart" />
          </tr>
        </thead>
        <tbody>
          {agreement.estimates.map((e) => {
            const kappa = e.name.includes("kappa");
            const show = (v: number | null) => (v === null ? "—" : kappa ? v.toFixed(2) : pct(v));
            return (
              <tr key={e.name} data-measure={e.name}>
                <td>{titles[e.name] ?? e.name}</td>
                <td>{show(e.value)}</td>
                <td>{e.low === null || e.high === null ? "—" : `[${show(e.low)}, ${show(e.high)}]`}</td>
                <td>
                  <EstimateBar estimate={e} domain={kappa ? [-1, 1] : [0, 1]} label={`${titles[e.name] ?? e.name}: ${show(e.value)}`} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function PreviewTable({ experimentId, preview }: { experimentId: string; preview: JudgePreview }) {
  const cost = preview.totals.cost;
  return (
    <>
      <p className="muted" data-testid="preview-totals">
        {preview.totals.judged} judged, {preview.totals.errors} error{preview.totals.errors === 1 ? "" : "s"} · {preview.totals.tokens}{" "}
        tokens{cost !== null ? ` · $${cost.toFixed(4)}` : ""} · nothing was stored
      </p>
      <div className="table-scroll">
        <table className="plain verdicts" aria-label="Verdicts">
          <thead>
            <tr>
              <th>Trace</th>
              <th>Verdict</th>
              <th>Rationale</th>
              <th>Human label</th>
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row) => {
              const human = row.human;
              const match = human && row.error === null ? agrees(row.value, human.value) : null;
              return (
                <tr key={row.trace_id} data-trace={row.trace_id} className={match === false ? "disagrees" : ""}>
                  <td className="preview">
                    <Link to={tracePath(experimentId, row.trace_id)}>{row.request_preview || row.trace_id}</Link>
                  </td>
                  <td data-col="verdict">
                    {row.error !== null ? <span className="verdict-value error">error</span> : <span className="verdict-value">{showValue(row.value)}</span>}
                  </td>
                  <td className="preview">{row.error ?? row.rationale ?? ""}</td>
                  <td data-col="human">
                    {human ? (
                      <span title={`by ${human.source_id}`}>
                        {showValue(human.value)} {match === null ? "" : match ? "✓ agrees" : "✗ disagrees"}
                      </span>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

/**
 * The judge builder: instructions with template-variable chips, a model, a value type, a few
 * of the experiment's traces; Run shows the draft judge's verdicts beside the human labels
 * with the agreement (nothing stored); Save registers it as a scorer on the experiment (a new
 * version when the name exists). `?name=&version=` opens a registered judge version.
 */
export default function JudgeBuilderPage() {
  const { experimentId = "" } = useParams();
  const [params] = useSearchParams();
  const openName = params.get("name") ?? "";
  const openVersion = Number(params.get("version") ?? "0") || 0;
  const opened = useScorer(experimentId, openName, openVersion);
  const scorer = opened.data;
  const parsed = scorer ? parseJudge(scorer.serialized_scorer) : null;
  const key = scorer ? `${scorer.scorer_name}@${scorer.scorer_version}` : "";
  return (
    <section className="judge-builder">
      <ExperimentHeader experimentId={experimentId} />
      <p>
        <Link to={judgesPath(experimentId)}>← Registered scorers</Link>
        {parsed ? (
          <span className="muted" data-testid="editing">
            {" "}
            · editing {scorer?.scorer_name} version {scorer?.scorer_version} (saving makes a new version)
          </span>
        ) : null}
      </p>
      <ErrorBanner error={opened.error} />
      {scorer && !parsed ? <p className="muted">This scorer is not an instructions judge; only make_judge judges open in the builder.</p> : null}
      {openName && opened.isPending ? (
        <p className="muted">Loading {openName}…</p>
      ) : (
        <BuilderForm key={key} experimentId={experimentId} initial={parsed} />
      )}
    </section>
  );
}

function BuilderForm({ experimentId, initial }: { experimentId: string; initial: JudgeDraft | null }) {
  const models = useJudgeModels();
  const traces = useTracesPages(experimentId, "");
  const preview = usePreviewJudge();
  const register = useRegisterScorer(experimentId);
  const can = useCan("experiment", experimentId);
  const denied = can.why("EDIT", "run or save a judge");

  const [draft, setDraft] = useState<JudgeDraft>(
    initial ?? { name: "", instructions: DEFAULT_INSTRUCTIONS, model: "", kind: "boolean", categories: [] },
  );
  const [categoriesText, setCategoriesText] = useState(initial?.categories.join(", ") ?? "");
  const [selected, setSelected] = useState<string[]>([]);
  const editor = useRef<HTMLTextAreaElement>(null);

  const model = draft.model || models.data?.default_model || "";
  const recent = useMemo(() => (traces.data?.pages[0]?.traces ?? []).slice(0, PICKER_SIZE), [traces.data]);
  const update = (patch: Partial<JudgeDraft>) => setDraft((d) => ({ ...d, ...patch }));

  const insert = (variable: string) => {
    const chip = `{{ ${variable} }}`;
    const el = editor.current;
    const text = draft.instructions;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    update({ instructions: text.slice(0, start) + chip + text.slice(end) });
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + chip.length, start + chip.length);
    });
  };

  const toggle = (id: string) =>
    setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : s.length >= MAX_TRACES ? s : [...s, id]));

  const full: JudgeDraft = { ...draft, model, categories: categoriesText.split(",").map((c) => c.trim()).filter(Boolean) };
  const missing = !full.name.trim() ? "Name the judge first" : !full.instructions.trim() ? "Write the instructions first" : !model ? "Pick a model first" : "";

  const run = () =>
    preview.mutate({
      experiment_id: experimentId,
      name: full.name.trim(),
      instructions: full.instructions,
      model,
      feedback_value_type: full.kind,
      ...(full.kind === "categorical" ? { categories: full.categories } : {}),
      trace_ids: selected,
    });
  const save = () => register.mutate({ name: full.name.trim(), serialized_scorer: serializeJudge({ ...full, name: full.name.trim() }) });

  const suggestions = (models.data?.providers ?? []).map((p) =>
    models.data?.default_model.startsWith(`${p}:/`) ? models.data.default_model : `${p}:/`,
  );

  return (
    <>
      <div className="judge-form">
        <label>
          Name <span className="muted small">(the assessment name; human labels of this name are compared)</span>
          <input value={draft.name} onChange={(e) => update({ name: e.target.value })} placeholder="correctness" />
        </label>
        <div className="chips" role="group" aria-label="Template variables">
          <span className="muted small">Insert:</span>
          {TEMPLATE_VARIABLES.map((v) => (
            <button key={v} type="button" className="chip" onClick={() => insert(v)} title={`Insert {{ ${v} }} at the cursor`}>
              {`{{ ${v} }}`}
            </button>
          ))}
        </div>
        <label>
          Instructions
          <textarea
            ref={editor}
            className="instructions"
            value={draft.instructions}
            onChange={(e) => update({ instructions: e.target.value })}
            rows={6}
          />
        </label>
        <div className="judge-options">
          <label>
            Model
            <input
              list="judge-models"
              value={draft.model}
              placeholder={models.data?.default_model ?? "openai:/gpt-4.1-mini"}
              onChange={(e) => update({ model: e.target.value })}
            />
            <datalist id="judge-models">
              {suggestions.map((s) => (
                <option key={s} value={s} />
              ))}
            </datalist>
            <span className="muted small" data-testid="providers">
              {models.data
                ? models.data.providers.length
                  ? `The server can call: ${models.data.providers.join(", ")}`
                  : "The server has no model credentials configured"
                : ""}
            </span>
          </label>
          <label>
            Value type
            <select value={draft.kind} onChange={(e) => update({ kind: e.target.value as ValueKind })}>
              {VALUE_KINDS.map((k) => (
                <option key={k.kind} value={k.kind}>
                  {k.label}
                </option>
              ))}
            </select>
          </label>
          {draft.kind === "categorical" ? (
            <label>
              Categories <span className="muted small">(comma-separated)</span>
              <input value={categoriesText} onChange={(e) => setCategoriesText(e.target.value)} placeholder="good, fair, poor" />
            </label>
          ) : null}
        </div>
      </div>

      <h3>Traces to try it on</h3>
      <p className="muted small" data-testid="trace-count">
        {selected.length} of at most {MAX_TRACES} selected
      </p>
      <ErrorBanner error={traces.error} />
      {traces.isPending ? <p className="muted">Loading traces…</p> : null}
      {traces.data && recent.length === 0 ? <p className="muted">No traces in this experiment yet.</p> : null}
      {recent.length > 0 ? (
        <div className="table-scroll trace-picker">
          <table className="plain" aria-label="Traces">
            <thead>
              <tr>
                <th aria-label="Select" />
                <th>Request</th>
                <th>Time</th>
                <th>Human label</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((t) => {
                const label = draft.name.trim() ? humanLabel(t, draft.name.trim()) : undefined;
                const anyHuman = (t.assessments ?? []).some((a) => a.source?.source_type === "HUMAN" && a.feedback);
                return (
                  <tr key={t.trace_id} data-trace={t.trace_id} className={selected.includes(t.trace_id) ? "selected" : ""}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select ${t.trace_id}`}
                        checked={selected.includes(t.trace_id)}
                        disabled={!selected.includes(t.trace_id) && selected.length >= MAX_TRACES}
                        onChange={() => toggle(t.trace_id)}
                      />
                    </td>
                    <td className="preview">{t.request_preview || t.trace_id}</td>
                    <td>{formatTime(t.request_time ? Date.parse(t.request_time) : undefined)}</td>
                    <td data-col="human">
                      {label !== undefined ? (
                        <span className="human-label" title="A HUMAN feedback of this judge's name">
                          ● {showValue(label)}
                        </span>
                      ) : anyHuman ? (
                        <span className="muted small" title="Human feedback of other names">
                          other labels
                        </span>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}

      <div className="toolbar">
        <button
          type="button"
          disabled={!!denied || !!missing || selected.length === 0 || preview.isPending}
          title={denied || missing || (selected.length === 0 ? "Select traces to run the judge on" : "Run the draft judge (nothing is stored)")}
          onClick={run}
        >
          {preview.isPending ? "Running…" : `Run on ${selected.length} trace${selected.length === 1 ? "" : "s"}`}
        </button>
        <button
          type="button"
          disabled={!!denied || !!missing || register.isPending}
          title={denied || missing || "Register this judge as a scorer on the experiment (a new version if the name exists)"}
          onClick={save}
        >
          Save as scorer
        </button>
        {register.data ? (
          <span data-testid="saved">
            Saved {register.data.name} version {register.data.version}. <Link to={judgesPath(experimentId)}>See the registered scorers</Link>
          </span>
        ) : null}
      </div>
      <ErrorBanner error={preview.error} />
      <ErrorBanner error={register.error} />
      {preview.data ? (
        <>
          <h3>Verdicts</h3>
          <AgreementPanel agreement={preview.data.agreement} />
          <PreviewTable experimentId={experimentId} preview={preview.data} />
        </>
      ) : null}
    </>
  );
}
