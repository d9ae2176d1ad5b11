import { useMemo } from "react";
import { useArtifactText } from "@ardea/api/queries/artifacts";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { PromptDiff } from "@ardea/components/diff/PromptDiff";
import { CandidateChart } from "./CandidateChart";
import { changedPrompts, fmtEstimate, fmtScore, OPTIMIZATION_ARTIFACT, parseOptimization, startAndBest, type Optimization } from "./optimization";
import "./optimization.css";

/** A prompt-optimization run: candidates with intervals, the held-out check, the winner's diff. */
export function RunOptimization({ runId }: { runId: string }) {
  const text = useArtifactText({ kind: "run", runId }, OPTIMIZATION_ARTIFACT, true);
  const parsed = useMemo(() => {
    if (text.data === undefined) return undefined;
    try {
      return { value: parseOptimization(text.data) };
    } catch (e) {
      return { error: e instanceof Error ? e : new Error(String(e)) };
    }
  }, [text.data]);
  return (
    <div className="run-optimization" data-testid="run-optimization">
      <h2>Prompt optimization</h2>
      <ErrorBanner error={text.error ?? parsed?.error ?? null} />
      {text.isPending ? <p className="muted">Loading…</p> : null}
      {parsed?.value ? <OptimizationView o={parsed.value} /> : null}
    </div>
  );
}

function OptimizationView({ o }: { o: Optimization }) {
  const { start, best } = startAndBest(o);
  const changed = changedPrompts(o);
  const scorers = Object.keys(start.per_scorer).sort();
  return (
    <>
      <p>
        <span className={`optimization-decision ${o.promoted ? "promoted" : "rejected"}`}>{o.promoted ? "Promoted" : "Not promoted"}</span>{" "}
        <span className="muted">{o.reason}</span>
      </p>
      <p className="muted small">
        {o.optimizer}: {o.candidates.length} candidates, {o.evaluations} rows scored, {o.llm_calls} model calls, ${o.cost.toFixed(4)}
        {o.stop_reason ? `; stopped early: ${o.stop_reason}` : ""}
        {o.interrupted ? "; interrupted" : ""}
        {o.optimized_prompts.length ? `; registered ${o.optimized_prompts.join(", ")}` : ""}
      </p>
      <CandidateChart candidates={o.candidates} bestIndex={best.index} />
      <table className="plain" aria-label="Candidates">
        <thead>
          <tr>
            <th>Candidate</th>
            <th>Training score [interval]</th>
            <th>Rows</th>
            {scorers.map((s) => (
              <th key={s}>{s}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {o.candidates.map((c) => (
            <tr key={c.index} className={c.index === best.index ? "best-candidate" : undefined}>
              <td>
                {c.index === 0 ? "0 (start)" : String(c.index)}
                {c.index === best.index ? " (best)" : ""}
              </td>
              <td>{fmtEstimate(c.interval)}</td>
              <td>{c.interval.n}</td>
              {scorers.map((s) => (
                <td key={s}>{fmtScore(c.per_scorer[s])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Held-out check</h3>
      {o.check ? (
        <dl className="kv" aria-label="Held-out check">
          <dt>Rows</dt>
          <dd>{o.check.n}</dd>
          <dt>Start</dt>
          <dd>{fmtEstimate(o.check.baseline)}</dd>
          <dt>Best candidate</dt>
          <dd>{fmtEstimate(o.check.candidate)}</dd>
          <dt>Paired test</dt>
          <dd>
            {o.check.test}: {o.check.improved} improved, {o.check.regressed} regressed, p = {o.check.p_value.toPrecision(3)} (alpha {o.check.alpha})
          </dd>
        </dl>
      ) : (
        <p className="muted">Not run (no candidate beat the start, or the search was interrupted).</p>
      )}
      <h3>Winning prompt against the start</h3>
      {changed.length ? (
        changed.map((name) => (
          <div key={name}>
            <h4>{name}</h4>
            <PromptDiff before={start.templates[name] ?? ""} after={best.templates[name] ?? ""} label={`Diff of ${name}`} />
          </div>
        ))
      ) : (
        <p className="muted">The start is the best: no change.</p>
      )}
    </>
  );
}
