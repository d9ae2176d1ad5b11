// How an artifact is previewed, by its file name.

export type ArtifactKind = "image" | "json" | "csv" | "tsv" | "text" | "none";

const IMAGES = new Set(["png", "jpg", "jpeg", "gif", "webp", "bmp"]);
const TEXT = new Set([
  "txt", "log", "md", "yaml", "yml", "py", "toml", "ini", "cfg", "sh", "sql", "xml", "html", "htm",
  "js", "ts", "css", "svg", "r", "ipynb", "jsonl", "mlmodel", "requirements", "lock",
]);

/** The preview kind of `path`; HTML and SVG are text (never rendered), binaries get none. */
export function artifactKind(path: string): ArtifactKind {
  const name = path.split("/").pop() ?? "";
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  if (IMAGES.has(ext)) return "image";
  if (ext === "json") return "json";
  if (ext === "csv") return "csv";
  if (ext === "tsv") return "tsv";
  if (TEXT.has(ext) || ext === "" || name === "MLmodel") return "text";
  return "none";
}
