import { useState } from "react";
import { applyTheme, storedTheme, type ThemeChoice } from "@ardea/lib/theme";

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };
const LABEL: Record<ThemeChoice, string> = { system: "Theme: system", light: "Theme: light", dark: "Theme: dark" };

/** Cycles system -> light -> dark; the choice persists in localStorage. */
export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>(storedTheme);
  return (
    <button
      type="button"
      aria-label="Toggle colour theme"
      onClick={() => {
        const next = NEXT[choice];
        applyTheme(next);
        setChoice(next);
        window.dispatchEvent(new Event("ardea-theme"));
      }}
    >
      {LABEL[choice]}
    </button>
  );
}
