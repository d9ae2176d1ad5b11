import { truncate } from "./traceRows";
import "./traces.css";

const MAX_CHIPS = 4;

/** A trace's user tags as small text chips (long keys and values cut, in full in the tooltip). */
export function TraceTagChips({ tags }: { tags: readonly [string, string][] }) {
  if (!tags.length) return null;
  const shown = tags.slice(0, MAX_CHIPS);
  const rest = tags.slice(MAX_CHIPS);
  return (
    <span className="trace-tags">
      {shown.map(([k, v]) => (
        <span key={k} className="trace-tag" data-tag={k} title={v ? `${k} = ${v}` : k}>
          {truncate(k, 24)}
          {v ? ` = ${truncate(v, 32)}` : ""}
        </span>
      ))}
      {rest.length ? (
        <span className="trace-tag muted" title={rest.map(([k, v]) => (v ? `${k} = ${v}` : k)).join("\n")}>
          +{rest.length}
        </span>
      ) : null}
    </span>
  );
}
