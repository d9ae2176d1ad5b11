/** `text` cut after each separator (`.`, `_`, `-`, `/`, `:`): where a key may wrap. */
export function keyParts(text: string): string[] {
  return text.match(/[^._\-/:]*[._\-/:]+|[^._\-/:]+$/g) ?? [text];
}
