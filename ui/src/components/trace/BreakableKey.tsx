import { Fragment } from "react";
import { keyParts } from "./keyParts";

/**
 * A dotted or snake_case key (`mlflow.spanInputs`, `gen_ai.usage.input_tokens`) that wraps only
 * after its separators: a `<wbr>` follows each `.`, `_`, `-`, `/` or `:` (React elements, no
 * HTML), and the cell's CSS breaks a part mid-word only when it cannot fit a line on its own.
 */
export function BreakableKey({ text }: { text: string }) {
  return (
    <>
      {keyParts(text).map((part, i) => (
        <Fragment key={i}>
          {part}
          <wbr />
        </Fragment>
      ))}
    </>
  );
}
