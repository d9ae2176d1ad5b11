import { useState } from "react";
import { useParams } from "react-router";
import { useAlertEvents, useAlertRules, useDeleteAlertRule } from "@ardea/api/queries/alerts";
import { describeRule, formatMeasure } from "@ardea/components/alerts/describe";
import { ExperimentHeader } from "@ardea/components/experiment/ExperimentHeader";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime } from "@ardea/lib/format";
import type { AlertRule } from "@ardea/api/types";
import { RuleEditor } from "./RuleEditor";
import "@ardea/components/alerts/alerts.css";
import "./alerts.css";

function StateBadge({ rule }: { rule: AlertRule }) {
  if (!rule.enabled) return <span className="alert-state disabled">DISABLED</span>;
  return <span className={`alert-state ${rule.state === "FIRING" ? "firing" : "ok"}`}>{rule.state}</span>;
}

/** An experiment's alert rules (state, last value), a form to add or edit one, and the events. */
export default function AlertsPage() {
  const { experimentId = "" } = useParams();
  const rules = useAlertRules(experimentId);
  const events = useAlertEvents(experimentId);
  const remove = useDeleteAlertRule();
  const [editing, setEditing] = useState<AlertRule | "new" | null>(null);
  const byId = new Map((rules.data ?? []).map((r) => [r.rule_id, r]));
  return (
    <section>
      <ExperimentHeader experimentId={experimentId} />
      <div className="toolbar">
        <button type="button" onClick={() => setEditing(editing ? null : "new")} aria-expanded={editing === "new"}>
          New rule
        </button>
        <span className="muted">
          The server checks each rule on a timer over its window of traces; a change is sent to the webhooks subscribed to
          alert.fired / alert.resolved.
        </span>
      </div>
      {editing ? (
        <RuleEditor
          key={editing === "new" ? "new" : editing.rule_id}
          experimentId={experimentId}
          rule={editing === "new" ? undefined : editing}
          onDone={() => setEditing(null)}
        />
      ) : null}
      <ErrorBanner error={rules.error ?? remove.error} />
      {rules.isPending ? <p className="muted">Loading rules…</p> : null}
      {rules.data && rules.data.length === 0 ? <p className="muted">No alert rules yet.</p> : null}
      {rules.data && rules.data.length > 0 ? (
        <table className="plain" aria-label="Alert rules">
          <thead>
            <tr>
              <th>Rule</th>
              <th>Condition</th>
              <th>State</th>
              <th>Last value</th>
              <th>Since</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {rules.data.map((r) => (
              <tr key={r.rule_id} data-rule={r.name}>
                <td>
                  {r.name}
                  {r.description ? <div className="muted small">{r.description}</div> : null}
                </td>
                <td>{describeRule(r)}</td>
                <td>
                  <StateBadge rule={r} />
                </td>
                <td>
                  {formatMeasure(r.kind, r.last_value)}
                  {r.last_evaluated ? <span className="muted small"> ({r.last_samples} samples)</span> : null}
                </td>
                <td>{formatTime(r.state_since)}</td>
                <td>
                  <button type="button" onClick={() => setEditing(r)}>
                    Edit
                  </button>{" "}
                  <button
                    type="button"
                    onClick={() => {
                      if (window.confirm(`Delete the rule ${r.name} and its events?`)) remove.mutate(r.rule_id);
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>Events</h2>
      <ErrorBanner error={events.error} />
      {events.data && events.data.length === 0 ? <p className="muted">No alert has fired yet.</p> : null}
      {events.data && events.data.length > 0 ? (
        <table className="plain" aria-label="Alert events">
          <thead>
            <tr>
              <th>Time</th>
              <th>Rule</th>
              <th>Event</th>
              <th>Value</th>
              <th>Threshold</th>
              <th>Samples</th>
            </tr>
          </thead>
          <tbody>
            {events.data.map((e) => {
              const kind = byId.get(e.rule_id)?.kind;
              const fmt = (v: number | null | undefined) => (kind ? formatMeasure(kind, v) : String(v ?? "–"));
              return (
                <tr key={e.event_id} data-event={e.kind}>
                  <td>{formatTime(e.time)}</td>
                  <td>{e.rule_name}</td>
                  <td>
                    <span className={`alert-state ${e.kind === "FIRED" ? "firing" : "ok"}`}>{e.kind}</span>
                  </td>
                  <td>{fmt(e.value)}</td>
                  <td>{fmt(e.threshold)}</td>
                  <td>{e.samples}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
