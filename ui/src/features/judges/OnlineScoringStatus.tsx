import { useOnlineScoringStatus } from "@ardea/api/queries/judges";

const STATES = [
  { key: "done", label: "scored", className: "done" },
  { key: "claimed", label: "scoring", className: "claimed" },
  { key: "pending", label: "waiting", className: "pending" },
  { key: "failed", label: "failed", className: "failed" },
] as const;

/**
 * Online scoring in this experiment: a bar of its work rows by state (scored, scoring,
 * waiting, failed), and a warning when the server sheds load (sampling below the configured
 * rates because the backlog is long) or runs no scorer loop. Nothing shows before any trace
 * was sampled.
 */
export function OnlineScoringStatus({ experimentId }: { experimentId: string }) {
  const status = useOnlineScoringStatus(experimentId);
  const data = status.data;
  if (!data) return null;
  const counts = data.counts ?? {};
  const total = STATES.reduce((sum, s) => sum + (counts[s.key] ?? 0), 0);
  if (total === 0) return null;
  return (
    <div className="online-status" data-testid="online-status">
      <div className="online-bar" role="img" aria-label={STATES.map((s) => `${counts[s.key] ?? 0} ${s.label}`).join(", ")}>
        {STATES.map((s) =>
          (counts[s.key] ?? 0) > 0 ? (
            <span key={s.key} className={`online-seg ${s.className}`} style={{ flexGrow: counts[s.key] }} title={`${counts[s.key]} ${s.label}`} />
          ) : null,
        )}
      </div>
      <span className="muted small">
        Online scoring: {STATES.map((s) => `${(counts[s.key] ?? 0).toLocaleString()} ${s.label}`).join(" · ")}
      </span>
      {data.degraded ? (
        <p className="online-warning small" role="status">
          Behind: new traces are sampled at {Math.round(data.degrade_factor * 100)}% of the configured rates until the backlog (
          {data.backlog.toLocaleString()} of {data.max_backlog.toLocaleString()}) shrinks. Ingest is not slowed.
        </p>
      ) : null}
      {!data.running && (counts.pending ?? 0) > 0 ? (
        <p className="muted small" role="status">
          This server runs no scorer loop ({data.enabled ? "not started" : "ARDEA_ONLINE_SCORING=0"}): rows wait for a server that does, or for{" "}
          <code>ardea scorer-worker</code>.
        </p>
      ) : null}
    </div>
  );
}
