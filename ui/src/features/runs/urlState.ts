// The runs page's state lives in the URL so that any view can be shared by copying it:
//   ?filter=<MLflow filter>&sort=<column id>&dir=asc|desc&col=<column id>...&sel=<run id>...
//    &group=<params.x | tags.x> (group the loaded runs by that value)&view=charts
// Without `col` the table shows the default columns (the first metrics and params by name); a
// lone empty `col=` is an explicit choice of none.
// Column ids are "attributes.<key>", "params.<key>", "metrics.<key>" or "tags.<key>".

export interface RunsView {
  filter: string;
  sort: string;
  desc: boolean;
  /** The chosen extra columns, or null for the defaults. */
  columns: string[] | null;
  selected: string[];
  /** Group-by column id ("params.lr", "tags.team"), "" for none. */
  group: string;
  /** The table or the chart view. */
  view: "table" | "charts";
}

export const DEFAULT_SORT = "attributes.start_time";

/** Read the view from the URL's search parameters. */
export function readRunsView(p: URLSearchParams): RunsView {
  return {
    filter: p.get("filter") ?? "",
    sort: p.get("sort") || DEFAULT_SORT,
    desc: (p.get("dir") ?? "desc") !== "asc",
    columns: p.has("col") ? p.getAll("col").filter(Boolean) : null,
    selected: p.getAll("sel"),
    group: p.get("group") ?? "",
    view: p.get("view") === "charts" ? "charts" : "table",
  };
}

/** A copy of `p` with `patch` applied (empty values and defaults are left out). */
export function writeRunsView(p: URLSearchParams, patch: Partial<RunsView>): URLSearchParams {
  const v = { ...readRunsView(p), ...patch };
  const out = new URLSearchParams();
  for (const [k, value] of p) if (!["filter", "sort", "dir", "col", "sel", "group", "view"].includes(k)) out.append(k, value);
  if (v.filter) out.set("filter", v.filter);
  if (v.sort !== DEFAULT_SORT) out.set("sort", v.sort);
  if (!v.desc) out.set("dir", "asc");
  if (v.columns !== null) {
    if (v.columns.length === 0) out.append("col", "");
    v.columns.forEach((c) => out.append("col", c));
  }
  v.selected.forEach((s) => out.append("sel", s));
  if (v.group) out.set("group", v.group);
  if (v.view === "charts") out.set("view", "charts");
  return out;
}

/** Split a column id into its entity ("params") and key ("lr"). */
export function splitColumnId(id: string): { entity: string; key: string } {
  const dot = id.indexOf(".");
  return { entity: id.slice(0, dot), key: id.slice(dot + 1) };
}

/** A key as the filter/order grammar wants it: bare when simple, else in backticks. */
export function quoteKey(key: string): string {
  return /^[A-Za-z_][\w.]*$/.test(key) ? key : `\`${key.replace(/`/g, "")}\``;
}

/** The server `order_by` list for a sort column (ties broken by run id for stable pages). */
export function orderByFor(sort: string, desc: boolean): string[] {
  const { entity, key } = splitColumnId(sort);
  const clause = `${entity}.${quoteKey(key)} ${desc ? "DESC" : "ASC"}`;
  return [clause];
}
