import { Link } from "react-router";
import { StatusBadge } from "@ardea/components/trace/StatusBadge";
import { tracePath } from "@ardea/lib/paths";
import { markLines, type ReplayReportData } from "./replayReport";
import "./traces.css";

const KINDS: Record<string, string> = {
  different_call: "a different call",
  new_call: "a new call",
  missing_call: "a missing call",
  different_output: "a different output",
  error: "an error of the app",
};

function Side({ title, text, other, testId }: { title: string; text: string; other: string; testId: string }) {
  return (
    <div className="replay-side" data-testid={testId}>
      <h3>{title}</h3>
      <pre className="cell-pre">
        {markLines(text, other).map((l, i) => (
          <div key={i} className={l.changed ? "replay-changed" : undefined} data-changed={l.changed || undefined}>
            {l.line || " "}
          </div>
        ))}
      </pre>
    </div>
  );
}

/**
 * The report of a replay (`ardea.replay`): passed or diverged, the recorded calls with what
 * the replay did at each, and the divergence point with the recorded and the new call side
 * by side (changed lines marked).
 */
export function ReplayReport({ experimentId, report }: { experimentId: string; report: ReplayReportData }) {
  const d = report.divergence;
  return (
    <section aria-label="Replay report" className="replay-report">
      <h2>Replay</h2>
      <p>
        <StatusBadge view={report.passed ? { label: "passed", tone: "ok", title: "The run followed the recording" } : { label: "diverged", tone: "error", title: "The run left the recording" }} /> · replay of{" "}
        <Link to={tracePath(experimentId, report.source_trace_id)}>{report.source_trace_id}</Link> · mode {report.mode} · {report.served} of{" "}
        {report.steps.length || report.steps_left_out || 0} calls served from the recording
      </p>
      {d ? (
        <div data-testid="replay-divergence">
          <p>
            <strong>
              Diverged at step {d.step} ({d.span_name}): {KINDS[d.kind] ?? d.kind}
            </strong>{" "}
            — {d.message}
          </p>
          <div className="replay-sides">
            <Side title="Recorded" text={d.expected} other={d.got} testId="replay-recorded" />
            <Side title="Replay" text={d.got} other={d.expected} testId="replay-new" />
          </div>
        </div>
      ) : null}
      {report.steps.length ? (
        <table className="replay-steps">
          <thead>
            <tr>
              <th>Step</th>
              <th>Kind</th>
              <th>Span</th>
              <th>Replay</th>
            </tr>
          </thead>
          <tbody>
            {report.steps.map(([kind, name, served, matched], i) => (
              <tr key={i} className={d && d.step === i ? "replay-diverged-row" : undefined} data-step={i}>
                <td>{i}</td>
                <td>{kind}</td>
                <td>{name}</td>
                <td>{matched ? (served ? "served" : "live, matched") : d && i >= d.step ? (d.step === i ? "diverged" : "not reached") : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : report.steps_left_out ? (
        <p className="muted">{report.steps_left_out} steps (too many to keep in the tag).</p>
      ) : null}
    </section>
  );
}
