import { useId, useState } from "react";
import { ApiError } from "@ardea/api/client";
import { errorMessageOf } from "@ardea/lib/errors";

export interface FilterBoxProps {
  /** The applied filter (from the URL). */
  value: string;
  /** Apply a new filter (Enter or the button). */
  onApply: (filter: string) => void;
  /** The search query's error: a 400 is the server's verdict on the filter, shown inline. */
  error?: unknown;
  /** The box's accessible name ("Filter runs"). */
  label?: string;
  /** An example filter, shown while the box is empty. */
  placeholder?: string;
}

/**
 * The MLflow search-filter box; shows the server's message under the box when it rejects it.
 * It starts from `value`: give it `key={value}` to reset it when the applied filter changes.
 */
export function FilterBox({ value, onApply, error, label = "Filter runs", placeholder }: FilterBoxProps) {
  const [text, setText] = useState(value);
  const errorId = useId();
  const invalid = error instanceof ApiError && error.status === 400;
  return (
    <form
      className="grow"
      role="search"
      onSubmit={(ev) => {
        ev.preventDefault();
        onApply(text.trim());
      }}
    >
      <div className="toolbar" style={{ marginBottom: 0, flexWrap: "nowrap" }}>
        <input
          type="search"
          className={invalid ? "grow invalid" : "grow"}
          aria-label={label}
          aria-invalid={invalid}
          aria-describedby={invalid ? errorId : undefined}
          placeholder={placeholder}
          value={text}
          onChange={(ev) => setText(ev.target.value)}
          spellCheck={false}
        />
        <button type="submit">Search</button>
        {value ? (
          <button type="button" onClick={() => onApply("")}>
            Clear
          </button>
        ) : null}
      </div>
      {invalid ? (
        <div id={errorId} className="error-banner" role="alert">
          {errorMessageOf(error)}
        </div>
      ) : null}
    </form>
  );
}
