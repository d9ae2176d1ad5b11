import { lazy, Suspense, useCallback, useMemo } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useRunsPages } from "@ardea/api/queries/runs";
import { ApiError } from "@ardea/api/client";
import { ExperimentHeader } from "@ardea/components/experiment/ExperimentHeader";
import { FilterBox } from "@ardea/components/search/FilterBox";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { comparePath } from "@ardea/lib/paths";
import { ColumnPicker } from "./ColumnPicker";
import { RunsTable } from "./RunsTable";
import { availableKeys, defaultColumns, toRunRow } from "./runRows";
import { orderByFor, readRunsView, writeRunsView, type RunsView } from "./urlState";

/** At most this many runs are selected at once (the selection travels in the URL). */
export const SELECTION_LIMIT = 500;

/** The chart view overlays the selected runs (at most this many), or the first rows shown. */
export const CHART_RUNS_LIMIT = 20;
export const CHART_DEFAULT_RUNS = 10;

// uPlot and the chart grid load only when the chart view is opened.
const RunsChartGrid = lazy(() => import("@ardea/components/run/RunsChartGrid"));

/** An experiment's runs: filter, sort, columns and selection all live in the URL. */
export default function RunsPage() {
  const { experimentId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const view = readRunsView(params);
  const orderBy = useMemo(() => orderByFor(view.sort, view.desc), [view.sort, view.desc]);
  const runs = useRunsPages({ experimentId, filter: view.filter, orderBy });

  const rows = useMemo(() => (runs.data?.pages ?? []).flatMap((p) => (p.runs ?? []).map(toRunRow)), [runs.data]);
  const available = useMemo(() => availableKeys(rows), [rows]);
  // Until columns are chosen (no `col` in the URL), the first metrics and params by name.
  const defaults = useMemo(() => defaultColumns(available), [available]);
  const columns = view.columns ?? defaults;
  const groupChoices = useMemo(
    () => [...available.params.map((k) => `params.${k}`), ...available.tags.filter((k) => !k.startsWith("mlflow.")).map((k) => `tags.${k}`)],
    [available],
  );
  const selectedKey = view.selected.join("\n");
  const selected = useMemo(() => new Set(selectedKey ? selectedKey.split("\n") : []), [selectedKey]);
  const chartRuns = useMemo(() => {
    const all = (runs.data?.pages ?? []).flatMap((p) => p.runs ?? []);
    if (!selectedKey) return all.slice(0, CHART_DEFAULT_RUNS);
    const byId = new Map(all.map((r) => [r.info.run_id, r]));
    return selectedKey.split("\n").flatMap((id) => byId.get(id) ?? []).slice(0, CHART_RUNS_LIMIT);
  }, [runs.data, selectedKey]);

  const update = useCallback(
    (patch: Partial<RunsView>, replace = false) => setParams((p) => writeRunsView(p, patch), { replace }),
    [setParams],
  );
  const onSort = useCallback(
    (columnId: string) => {
      const current = readRunsView(params);
      if (current.sort === columnId) update({ desc: !current.desc });
      else update({ sort: columnId, desc: columnId.startsWith("metrics.") || columnId === "attributes.start_time" });
    },
    [params, update],
  );
  const onToggle = useCallback(
    (runId: string) => {
      const next = new Set(selected);
      if (next.has(runId)) next.delete(runId);
      else next.add(runId);
      update({ selected: [...next] }, true);
    },
    [selected, update],
  );
  const onToggleAll = useCallback(() => {
    // Clears a selection, else selects the loaded runs; the selection is part of the URL,
    // so it is kept to a size a URL can carry.
    update({ selected: selected.size ? [] : rows.slice(0, SELECTION_LIMIT).map((r) => r.id) }, true);
  }, [rows, selected, update]);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = runs;
  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const filterError = runs.error instanceof ApiError && runs.error.status === 400;
  return (
    <section>
      <ExperimentHeader experimentId={experimentId} />
      <div className="toolbar">
        <label>
          Group by{" "}
          <select aria-label="Group by" value={view.group} onChange={(e) => update({ group: e.target.value }, true)}>
            <option value="">None</option>
            {view.group && !groupChoices.includes(view.group) ? <option value={view.group}>{view.group}</option> : null}
            {groupChoices.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <FilterBox
          key={view.filter}
          placeholder="metrics.acc > 0.5 and params.lr = '0.01' and tags.team = 'vision'"
          value={view.filter}
          onApply={(filter) => update({ filter, selected: [] })}
          error={runs.error}
        />
        <ColumnPicker
          available={available}
          chosen={columns}
          isDefault={view.columns === null}
          onChange={(next) => update({ columns: next }, true)}
        />
        <div className="segmented" role="group" aria-label="View">
          <button type="button" aria-pressed={view.view === "table"} onClick={() => update({ view: "table" }, true)}>
            Table
          </button>
          <button type="button" aria-pressed={view.view === "charts"} onClick={() => update({ view: "charts" }, true)}>
            Charts
          </button>
        </div>
        {selected.size >= 2 ? (
          <Link
            className="button"
            to={comparePath(experimentId, view.selected)}
          >
            Compare {selected.size}
          </Link>
        ) : (
          <button type="button" disabled title="Select two or more runs">
            Compare
          </button>
        )}
      </div>
      {runs.error && !filterError ? <ErrorBanner error={runs.error} /> : null}
      <p className="muted" aria-live="polite">
        {runs.isPending
          ? "Loading runs…"
          : `${rows.length.toLocaleString()}${hasNextPage ? "+" : ""} runs` +
            (selected.size ? ` · ${selected.size} selected` : "") +
            (selected.size >= SELECTION_LIMIT ? ` (at most ${SELECTION_LIMIT})` : "") +
            (isFetchingNextPage ? " · loading more…" : "")}
      </p>
      {view.view === "charts" ? (
        <>
          <p className="muted">
            {selected.size
              ? `Charting the selected runs${selected.size > CHART_RUNS_LIMIT ? ` (the first ${CHART_RUNS_LIMIT})` : ""}.`
              : `Charting the first ${CHART_DEFAULT_RUNS} runs in the table's order; select runs to chart others.`}
          </p>
          <Suspense fallback={<p className="muted">Loading charts…</p>}>
            <RunsChartGrid runs={chartRuns} />
          </Suspense>
        </>
      ) : (
        <RunsTable
          experimentId={experimentId}
          rows={rows}
          columns={columns}
          sort={view.sort}
          desc={view.desc}
          onSort={onSort}
          selected={selected}
          onToggle={onToggle}
          onToggleAll={onToggleAll}
          hasMore={hasNextPage}
          loadMore={loadMore}
          groupBy={view.group}
          emptyText={runs.isPending || runs.error ? "" : view.filter ? "No runs match the filter." : "No runs yet."}
        />
      )}
    </section>
  );
}
