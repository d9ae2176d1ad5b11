// The focused review page's keyboard shortcuts, as a pure function of the key and the form:
// j/k next/previous, p/f pass/fail (the first pass/fail label), 1-9 an option (the first
// categorical label), Enter submit, s skip, ? the help. In a text field only Ctrl/Cmd+Enter
// (submit) and Escape (leave the field) act, so typing is never taken for a shortcut.
import type { LabelSchema } from "@ardea/api/types";

/** What a key press does on the review page (null: nothing, let the browser have it). */
export type KeyAction =
  | { kind: "next" }
  | { kind: "previous" }
  | { kind: "submit" }
  | { kind: "skip" }
  | { kind: "help" }
  | { kind: "escape" }
  | { kind: "set"; name: string; value: unknown };

/** The parts of a KeyboardEvent the shortcuts read. */
export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** True when focus is in an input, textarea or select. */
  inField?: boolean;
}

/** The shortcuts, for the help dialog. */
export const SHORTCUTS: readonly (readonly [string, string])[] = [
  ["j", "next item"],
  ["k", "previous item"],
  ["p / f", "pass / fail"],
  ["1-9", "pick an option"],
  ["Enter", "submit the labels"],
  ["s", "skip the item"],
  ["?", "show this help"],
  ["Esc", "close the help, leave a text field"],
];

/** The action of `press` given the queue's schemas (see the module comment). */
export function keyAction(press: KeyPress, schemas: readonly LabelSchema[]): KeyAction | null {
  const { key } = press;
  if (press.inField) {
    if (key === "Escape") return { kind: "escape" };
    if (key === "Enter" && (press.ctrlKey || press.metaKey)) return { kind: "submit" };
    return null;
  }
  if (press.ctrlKey || press.metaKey || press.altKey) return null;
  switch (key) {
    case "j":
      return { kind: "next" };
    case "k":
      return { kind: "previous" };
    case "s":
      return { kind: "skip" };
    case "Enter":
      return { kind: "submit" };
    case "?":
      return { kind: "help" };
    case "Escape":
      return { kind: "escape" };
    case "p":
    case "f": {
      const passFail = schemas.find((s) => s.type === "pass_fail");
      return passFail ? { kind: "set", name: passFail.name, value: key === "p" } : null;
    }
    default:
      break;
  }
  if (/^[1-9]$/.test(key)) {
    const categorical = schemas.find((s) => s.type === "categorical");
    const option = categorical?.options?.[Number(key) - 1];
    return categorical && option !== undefined ? { kind: "set", name: categorical.name, value: option } : null;
  }
  return null;
}
