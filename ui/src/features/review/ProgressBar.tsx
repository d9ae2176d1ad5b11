import type { QueueProgress, ReviewerProgress } from "@ardea/api/types";

/** Done and skipped items as a bar, with the counts as text beside it. */
export function ProgressBar({ progress, label }: { progress: QueueProgress | ReviewerProgress | undefined; label: string }) {
  const total = progress?.total ?? 0;
  const done = progress?.done ?? 0;
  const skipped = progress?.skipped ?? 0;
  const pct = (n: number) => (total ? `${(100 * n) / total}%` : "0%");
  return (
    <span className="chips">
      <span
        className="progress-bar"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done + skipped}
      >
        <span className="done" style={{ width: pct(done) }} />
        <span className="skipped" style={{ width: pct(skipped) }} />
      </span>
      <span className="muted small" data-testid="progress-text">
        {done} done · {skipped} skipped · {total - done - skipped} left of {total}
      </span>
    </span>
  );
}
