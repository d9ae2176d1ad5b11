import type { StatusView } from "./status";
import "./trace.css";

/** A small status badge (text only), colored by its tone. */
export function StatusBadge({ view }: { view: StatusView }) {
  return (
    <span className={`status-badge tone-${view.tone}`} title={view.title} data-status={view.label}>
      {view.label}
    </span>
  );
}
