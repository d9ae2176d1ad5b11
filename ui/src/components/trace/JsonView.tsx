import { useState } from "react";
import "./trace.css";

const PAGE = 100;

type Entry = [string, unknown];

function entriesOf(value: object): Entry[] {
  return Array.isArray(value) ? value.map((v, i): Entry => [String(i), v]) : Object.entries(value);
}

function Scalar({ value }: { value: unknown }) {
  if (typeof value === "string") return <span className="json-string">&quot;{value}&quot;</span>;
  if (value === null || value === undefined) return <span className="json-null">null</span>;
  if (typeof value === "object") return <span>{Array.isArray(value) ? "[]" : "{}"}</span>;
  return <span className="json-number">{String(value)}</span>;
}

function Key({ name }: { name: string | undefined }) {
  return name === undefined ? null : <span className="json-key">{name}: </span>;
}

function Branch({ name, value, depth }: { name: string | undefined; value: object; depth: number }) {
  const entries = entriesOf(value);
  const [open, setOpen] = useState(depth < 3);
  const [limit, setLimit] = useState(PAGE);
  const isArray = Array.isArray(value);
  const summary = isArray ? `[${entries.length}]` : `{${entries.length}}`;
  return (
    <div className="json-node">
      <button type="button" className="json-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span aria-hidden="true">{open ? "▾ " : "▸ "}</span>
        <Key name={name} />
        <span className="muted">{summary}</span>
      </button>
      {open ? (
        <div className="json-children">
          {entries.slice(0, limit).map(([k, v]) => (
            <Node key={k} name={k} value={v} depth={depth + 1} />
          ))}
          {entries.length > limit ? (
            <button type="button" className="link" onClick={() => setLimit(limit + 10 * PAGE)}>
              Show {Math.min(10 * PAGE, entries.length - limit)} more of {entries.length - limit}
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function Node({ name, value, depth }: { name: string | undefined; value: unknown; depth: number }) {
  if (typeof value === "object" && value !== null && entriesOf(value).length > 0) {
    return <Branch name={name} value={value} depth={depth} />;
  }
  return (
    <div className="json-line">
      <Key name={name} />
      <Scalar value={value} />
    </div>
  );
}

/**
 * A JSON value as a collapsible tree of text (the first three levels open; long lists shown
 * 100 items at a time). Strings are shown as they are, never interpreted as markup.
 */
export function JsonView({ value, label }: { value: unknown; label?: string }) {
  return (
    <div className="json-view" aria-label={label}>
      <Node name={undefined} value={value} depth={0} />
    </div>
  );
}
