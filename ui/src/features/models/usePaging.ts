import { useState } from "react";

/** Page tokens of a token-paged list: the current token, and moving forward or back. */
export function usePaging() {
  const [tokens, setTokens] = useState<string[]>([""]);
  const token = tokens[tokens.length - 1] ?? "";
  return {
    token,
    page: tokens.length,
    next: (nextToken: string) => setTokens((t) => [...t, nextToken]),
    back: () => setTokens((t) => (t.length > 1 ? t.slice(0, -1) : t)),
  };
}
