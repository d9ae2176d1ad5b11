// Span ids: the span JSON carries them in base64 (OTLP proto-JSON); URLs and the API take hex.

const HEX16 = /^[0-9a-fA-F]{16}$/;
const cache = new Map<string, string>();

/** A span id as 16 lowercase hex characters, from base64 (as the span JSON has it) or hex. */
export function spanHex(id: string | undefined): string {
  if (!id) return "";
  if (HEX16.test(id)) return id.toLowerCase();
  const known = cache.get(id);
  if (known !== undefined) return known;
  let out = "";
  try {
    const bin = atob(id);
    for (let i = 0; i < bin.length; i++) out += bin.charCodeAt(i).toString(16).padStart(2, "0");
  } catch {
    out = id;
  }
  if (cache.size > 200_000) cache.clear();
  cache.set(id, out);
  return out;
}
