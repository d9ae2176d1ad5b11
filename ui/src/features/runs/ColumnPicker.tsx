import { useMemo, useState } from "react";

export interface ColumnPickerProps {
  /** Keys seen in the loaded runs, per entity. */
  available: { params: string[]; metrics: string[]; tags: string[] };
  /** The chosen column ids ("metrics.acc"). */
  chosen: string[];
  onChange: (chosen: string[]) => void;
}

const GROUPS = [
  ["metrics", "Metrics"],
  ["params", "Parameters"],
  ["tags", "Tags"],
] as const;

/** A dropdown of checkboxes to add param, metric and tag columns to the runs table. */
export function ColumnPicker({ available, chosen, onChange }: ColumnPickerProps) {
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
