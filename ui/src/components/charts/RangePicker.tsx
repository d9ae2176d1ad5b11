import { useState } from "react";
import { PRESETS, fromLocalInput, toLocalInput, type RangeKey, type ResolvedRange } from "./timeRange";
import "./charts.css";

export interface RangePickerProps {
  range: ResolvedRange;
  /** Apply a preset, or a custom range in epoch ms. */
  onChange: (key: RangeKey, custom?: { from: number; to: number }) => void;
}

/** Last 1h / 24h / 7d / 30d buttons, and a custom from-to pair of date-time inputs. */
export function RangePicker({ range, onChange }: RangePickerProps) {
  const [from, setFrom] = useState(() => toLocalInput(range.startMs));
  const [to, setTo] = useState(() => toLocalInput(range.endMs));
  const [custom, setCustom] = useState(range.key === "custom");
  return (
    <div className="toolbar">
      <div role="group" aria-label="Time range" className="range-buttons">
        {PRESETS.map((p) => (
          <button
            key={p.key}
            type="button"
            aria-pressed={!custom && range.key === p.key}
            onClick={() => {
              setCustom(false);
              onChange(p.key);
            }}
          >
            {p.label}
          </button>
        ))}
        <button type="button" aria-pressed={custom} onClick={() => setCustom(true)}>
          Custom
        </button>
      </div>
      {custom ? (
        <form
          className="toolbar"
          style={{ marginBottom: 0 }}
          onSubmit={(e) => {
            e.preventDefault();
            onChange("custom", { from: fromLocalInput(from), to: fromLocalInput(to) });
          }}
        >
          <label>
            From <input type="datetime-local" aria-label="From" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label>
            To <input type="datetime-local" aria-label="To" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          <button type="submit">Apply</button>
        </form>
      ) : null}
    </div>
  );
}
