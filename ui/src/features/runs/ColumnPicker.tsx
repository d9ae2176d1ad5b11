import { useMemo, useState } from "react";

export interface ColumnPickerProps {
  /** Keys seen in the loaded runs, per entity. */
  available: { params: string[]; metrics: string[]; tags: string[] };
  /** The column ids shown ("metrics.acc"). */
  chosen: string[];
  /** The columns shown are the defaults (nothing chosen yet). */
  isDefault?: boolean;
  /** A new choice of columns; null for the defaults. */
  onChange: (chosen: string[] | null) => void;
}

const GROUPS = [
  ["metrics", "Metrics"],
  ["params", "Parameters"],
  ["tags", "Tags"],
] as const;

/**
 * A dropdown of checkboxes to add param, metric and tag columns to the runs table. Until a box is
 * changed the table shows the default columns (the first metrics and params by name).
 */
export function ColumnPicker({ available, chosen, isDefault = false, onChange }: ColumnPickerProps) {
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState("");
  const chosenSet = useMemo(() => new Set(chosen), [chosen]);
  const toggle = (id: string) =>
    onChange(chosenSet.has(id) ? chosen.filter((c) => c !== id) : [...chosen, id]);
  return (
    <div className="picker">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        Columns ({chosen.length})
      </button>
      {open ? (
        <div className="picker-panel" role="dialog" aria-label="Choose columns">
          <input type="search" placeholder="Find a key" aria-label="Find a column" value={q} onChange={(e) => setQ(e.target.value)} />
          <p className="muted picker-note">
            {isDefault ? "Showing the default columns: the first metrics and parameters by name." : "Your choice of columns (kept in the URL)."}{" "}
            {isDefault ? null : (
              <button type="button" className="link" onClick={() => onChange(null)}>
                Default columns
              </button>
            )}
            <button type="button" className="link" onClick={() => onChange([])} disabled={chosen.length === 0}>
              Clear
            </button>
          </p>
          {GROUPS.map(([entity, title]) => {
            const keys = available[entity].filter((k) => k.toLowerCase().includes(q.toLowerCase()));
            if (keys.length === 0) return null;
            return (
              <div key={entity}>
                <h3>{title}</h3>
                {keys.map((k) => {
                  const id = `${entity}.${k}`;
                  return (
                    <label key={id}>
                      <input type="checkbox" checked={chosenSet.has(id)} onChange={() => toggle(id)} /> {k}
                    </label>
                  );
                })}
              </div>
            );
          })}
        </div>
      ) : null}
    </div>
  );
}
