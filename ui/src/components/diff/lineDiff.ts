// A small line diff (longest common subsequence) for comparing two prompt versions.

export interface DiffLine {
  kind: "same" | "add" | "del";
  text: string;
  /** 1-based line number in the old text (same, del). */
  oldNo?: number;
  /** 1-based line number in the new text (same, add). */
  newNo?: number;
}

/** Above this many LCS cells the changed middle is shown as removed-then-added. */
export const MAX_CELLS = 4_000_000;

function splitLines(text: string): string[] {
  return text === "" ? [] : text.split(/\r?\n/);
}

/** The lines of `before` and `after`, marked same / removed / added, in reading order. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out: DiffLine[] = [];
  for (let i = 0; i < start; i++) out.push({ kind: "same", text: a[i]!, oldNo: i + 1, newNo: i + 1 });
  const n = endA - start;
  const m = endB - start;
  if (n * m > MAX_CELLS) {
    for (let i = start; i < endA; i++) out.push({ kind: "del", text: a[i]!, oldNo: i + 1 });
    for (let j = start; j < endB; j++) out.push({ kind: "add", text: b[j]!, newNo: j + 1 });
  } else {
    // lcs[i][j]: LCS length of a[start+i..endA) and b[start+j..endB), row-major in one array.
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] =
          a[start + i] === b[start + j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[start + i] === b[start + j]) {
        out.push({ kind: "same", text: a[start + i]!, oldNo: start + i + 1, newNo: start + j + 1 });
        i++;
        j++;
      } else if (i < n && (j === m || lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) {
        // Removals before additions, as diff tools print them.
        out.push({ kind: "del", text: a[start + i]!, oldNo: start + i + 1 });
        i++;
      } else {
        out.push({ kind: "add", text: b[start + j]!, newNo: start + j + 1 });
        j++;
      }
    }
  }
  for (let k = 0; k < a.length - endA; k++) {
    out.push({ kind: "same", text: a[endA + k]!, oldNo: endA + k + 1, newNo: endB + k + 1 });
  }
  return out;
}
