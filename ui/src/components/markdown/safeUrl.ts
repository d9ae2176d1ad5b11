// Which link targets a Markdown description may carry: http(s), mailto and relative URLs.

const ALLOWED = new Set(["http", "https", "mailto"]);

/**
 * `url` when it is relative or uses http, https or mailto; "" otherwise (javascript:, data:,
 * vbscript:, file:, ...). A scheme is whatever precedes the first ":" that comes before any
 * "/", "?" or "#", as browsers read it (so `java\tscript:` is a scheme too, and rejected).
 */
export function safeUrl(url: string): string {
  const trimmed = url.trim();
  const colon = trimmed.indexOf(":");
  if (colon < 0) return trimmed;
  const cut = trimmed.search(/[/?#]/);
  if (cut >= 0 && cut < colon) return trimmed;
  return ALLOWED.has(trimmed.slice(0, colon).toLowerCase()) ? trimmed : "";
}

/** Whether `url` leaves the app (an absolute http(s) link), so it opens in a new tab. */
export function isExternal(url: string): boolean {
  return /^https?:/i.test(url);
}
