import type { ReactNode } from "react";
import { useSearchParams } from "react-router";
import { ApiError } from "@ardea/api/client";
import { ExperimentHeader } from "@ardea/components/experiment/ExperimentHeader";
import { FilterBox } from "@ardea/components/search/FilterBox";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { withParam } from "./traceSort";

/** The paged search a trace list shows (a TanStack infinite query's fields). */
export interface TraceListQuery {
  error: unknown;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

export interface TraceListShellProps {
  experimentId: string;
  /** The filter box's accessible name. */
  filterLabel: string;
  /** An example filter, shown while the box is empty. */
  placeholder: string;
  query: TraceListQuery;
  /** The count line under the filter ("12 traces"). */
  summary: ReactNode;
  /** The table. */
  children: ReactNode;
}

/**
 * What the traces and sessions lists share: the experiment's header, the filter box
 * (`?filter=`, other URL state kept), errors (a rejected filter shows under the box), the count
 * line and "Load more".
 */
export function TraceListShell({ experimentId, filterLabel, placeholder, query, summary, children }: TraceListShellProps) {
  const [params, setParams] = useSearchParams();
  const filter = params.get("filter") ?? "";
  const filterError = query.error instanceof ApiError && query.error.status === 400;
  return (
    <section>
      <ExperimentHeader experimentId={experimentId} />
      <div className="toolbar">
        <FilterBox
          key={filter}
          label={filterLabel}
          placeholder={placeholder}
          value={filter}
          onApply={(f) => setParams((cur) => withParam(cur, "filter", f))}
          error={query.error}
        />
      </div>
      {query.error && !filterError ? <ErrorBanner error={query.error} /> : null}
      <p className="muted">{summary}</p>
      {children}
      {query.hasNextPage ? (
        <button type="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          Load more
        </button>
      ) : null}
    </section>
  );
}
