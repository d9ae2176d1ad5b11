import { useMemo } from "react";
import { lineDiff } from "./lineDiff";
import "./diff.css";

/** The line diff of two templates (as text): removed lines marked -, added lines +. */
export function PromptDiff({ before, after, label }: { before: string; after: string; label: string }) {
  const lines = useMemo(() => lineDiff(before, after), [before, after]);
  const changed = lines.filter((l) => l.kind !== "same").length;
  return (
    <>
      <p className="muted">{changed ? `${changed} changed line${changed === 1 ? "" : "s"}` : "No differences."}</p>
      <table className="prompt-diff" aria-label={label} data-testid="prompt-diff">
        <tbody>
          {lines.map((l, i) => (
            <tr key={i} className={`diff-${l.kind}`} data-kind={l.kind}>
              <td className="diff-no">{l.oldNo ?? ""}</td>
              <td className="diff-no">{l.newNo ?? ""}</td>
              <td className="diff-sign">{l.kind === "add" ? "+" : l.kind === "del" ? "-" : " "}</td>
              <td className="diff-text">{l.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
