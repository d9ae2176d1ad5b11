// The loaded levels of a trace's span tree: the roots plus the children of each expanded span,
// page by page ("load more" asks for the next page of one level).
import { useCallback, useMemo, useState } from "react";
import { useSpanLevelPages, type LevelPageRef } from "@ardea/api/queries/traces";
import type { SpanPage } from "@ardea/api/types";
import type { SpanLevel } from "@ardea/components/trace/lazyTree";
import { spanHex } from "@ardea/components/trace/spanIds";

const NONE: Record<string, string[]> = {};

/** A page as the tree reads it: an older server's pages have no `parent_span_ids`. */
type LevelPage = Omit<SpanPage, "parent_span_ids"> & Partial<Pick<SpanPage, "parent_span_ids">>;

interface PageResult {
  data?: LevelPage;
  isPending: boolean;
  error: unknown;
}

/** The pages to fetch: the first page of the roots and of each expanded span, plus the extra pages asked for. */
export function levelPageRefs(expanded: readonly string[], extra: Readonly<Record<string, readonly string[]>>): LevelPageRef[] {
  const out: LevelPageRef[] = [];
  for (const parent of new Set(["", ...expanded])) {
    out.push({ parent, token: "" });
    for (const token of extra[parent] ?? []) out.push({ parent, token });
  }
  return out;
}

/**
 * The fetched pages merged into one level per parent, plus each level's next page token and the
 * spans known to have children (null when a page did not say).
 */
export function mergeLevels(refs: readonly LevelPageRef[], results: readonly PageResult[]) {
  const levels = new Map<string, SpanLevel>();
  const next = new Map<string, string>();
  // Spans known to have children; null as soon as a loaded page does not say (older server).
  let parents: Set<string> | null = new Set<string>();
  refs.forEach((ref, i) => {
    const r = results[i];
    if (r?.data) {
      if (!r.data.parent_span_ids) parents = null;
      else for (const id of r.data.parent_span_ids) parents?.add(spanHex(id));
    }
    const level: SpanLevel = levels.get(ref.parent) ?? { spans: [], loading: false, hasMore: false, error: null };
    if (!r || r.isPending) level.loading = true;
    if (r?.error) level.error = r.error;
    if (r?.data) level.spans = level.spans.concat(r.data.spans);
    const token = r?.data?.next_page_token ?? "";
    level.hasMore = Boolean(token);
    if (token) next.set(ref.parent, token);
    else next.delete(ref.parent);
    levels.set(ref.parent, level);
  });
  return { levels, next, parents: parents as ReadonlySet<string> | null };
}

/**
 * The span tree's levels of one trace; `expanded` lists span ids (hex) whose children to load.
 * `parents` (hex ids) tells which loaded spans have children, so leaves get no expand control.
 */
export function useSpanLevels(traceId: string, expanded: readonly string[]) {
  // Extra pages asked for, per parent; they belong to one trace (the page may switch traces).
  const [asked, setAsked] = useState<{ traceId: string; pages: Record<string, string[]> }>({ traceId, pages: {} });
  const extra = asked.traceId === traceId ? asked.pages : NONE;
  const refs = useMemo(() => levelPageRefs(expanded, extra), [expanded, extra]);
  const results = useSpanLevelPages(traceId, refs);
  const { levels, next, parents } = useMemo(() => mergeLevels(refs, results), [refs, results]);
  const loadMore = useCallback(
    (parent: string) => {
      const token = next.get(parent);
      if (!token) return;
      setAsked((cur) => {
        const pages = cur.traceId === traceId ? cur.pages : NONE;
        const list = pages[parent] ?? [];
        return list.includes(token) ? cur : { traceId, pages: { ...pages, [parent]: [...list, token] } };
      });
    },
    [next, traceId],
  );
  return { levels, parents, loadMore };
}
