import { useState, type FormEvent } from "react";
import { useAddFeedback } from "@ardea/api/queries/traceEdits";
import type { Assessment } from "@ardea/api/types";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { assessmentRows, parseFeedbackValue, type FeedbackKind } from "./assessments";

function FeedbackForm({ traceId }: { traceId: string }) {
  const add = useAddFeedback(traceId);
  const [name, setName] = useState("");
  const [kind, setKind] = useState<FeedbackKind>("bool");
  const [raw, setRaw] = useState("yes");
  const [rationale, setRationale] = useState("");
  const [problem, setProblem] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setProblem("Enter a name.");
    const parsed = parseFeedbackValue(kind, raw);
    if ("error" in parsed) return setProblem(parsed.error);
    setProblem("");
    add.mutate(
      { name: name.trim(), value: parsed.value, rationale: rationale.trim() },
      { onSuccess: () => setRationale("") },
    );
  };
  return (
    <form className="assessment-form" onSubmit={submit} aria-label="Add feedback">
      <input aria-label="Feedback name" placeholder="name, e.g. correct" value={name} onChange={(e) => setName(e.target.value)} />
      <select
        aria-label="Value type"
        value={kind}
        onChange={(e) => {
          const k = e.target.value as FeedbackKind;
          setKind(k);
          setRaw(k === "bool" ? "yes" : "");
        }}
      >
        <option value="bool">yes / no</option>
        <option value="number">number</option>
        <option value="text">text</option>
      </select>
      {kind === "bool" ? (
        <select aria-label="Feedback value" value={raw} onChange={(e) => setRaw(e.target.value)}>
          <option value="yes">yes</option>
          <option value="no">no</option>
        </select>
      ) : (
        <input
          aria-label="Feedback value"
          inputMode={kind === "number" ? "decimal" : undefined}
          value={raw}
          onChange={(e) => setRaw(e.target.value)}
        />
      )}
      <textarea aria-label="Rationale" placeholder="rationale (optional)" value={rationale} onChange={(e) => setRationale(e.target.value)} />
      <button type="submit" className="primary" disabled={add.isPending}>
        Add feedback
      </button>
      {problem ? (
        <span className="status-FAILED" role="alert">
          {problem}
        </span>
      ) : null}
      <ErrorBanner error={add.error} />
    </form>
  );
}

/**
 * The trace's feedback and expectations, and a form to add feedback (in its place, `denied`:
 * why the caller may not add any).
 */
export function TraceAssessments({ traceId, assessments, denied = "" }: { traceId: string; assessments: Assessment[] | undefined; denied?: string }) {
  const rows = assessmentRows(assessments);
  return (
    <section aria-label="Assessments">
      <h2>Assessments</h2>
      {rows.length ? (
        <ul className="assessment-list">
          {rows.map((r) => (
            <li key={r.id} data-assessment={r.name} className={r.valid ? "" : "muted"}>
              <strong>{r.name}</strong>: <span>{r.value}</span>{" "}
              <span className="muted">
                ({r.kind}
                {r.source ? `, ${r.source}` : ""}
                {r.valid ? "" : ", overridden"})
              </span>
              {r.rationale ? <div className="muted">{r.rationale}</div> : null}
              {r.error ? <div className="status-FAILED">{r.error}</div> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No feedback or expectations yet.</p>
      )}
      {denied ? (
        <p className="muted" data-denied={denied}>
          {denied}
        </p>
      ) : (
        <FeedbackForm traceId={traceId} />
      )}
    </section>
  );
}
