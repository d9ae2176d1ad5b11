import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import {
  useDeleteExperiment,
  useExperiments,
  useRenameExperiment,
  useRestoreExperiment,
} from "@ardea/api/queries/experiments";
import type { Experiment, ViewType } from "@ardea/api/types";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { Gated } from "@ardea/components/ui/Gated";
import { useCan } from "@ardea/hooks/useCan";
import { useSeen } from "@ardea/hooks/useSeen";
import { formatTime } from "@ardea/lib/format";
import { runsPath } from "@ardea/lib/paths";
import { CreateExperimentForm } from "./CreateExperimentForm";

interface Edit {
  id: string;
  name: string;
}

interface RowProps {
  experiment: Experiment;
  view: ViewType;
  editing: Edit | null;
  setEditing: (e: Edit | null) => void;
  rename: ReturnType<typeof useRenameExperiment>;
  remove: ReturnType<typeof useDeleteExperiment>;
  restore: ReturnType<typeof useRestoreExperiment>;
}

/**
 * One experiment, with the actions the caller may take on it (the others disabled, saying why;
 * the server is asked once the row comes into view).
 */
function ExperimentRow({ experiment: e, view, editing, setEditing, rename, remove, restore }: RowProps) {
  const [ref, seen] = useSeen<HTMLTableRowElement>();
  const can = useCan("experiment", e.experiment_id, seen);
  return (
    <tr ref={ref} className={e.lifecycle_stage === "deleted" ? "deleted" : ""} data-experiment={e.experiment_id}>
      <td>
        {editing ? (
          <form
            onSubmit={(ev) => {
              ev.preventDefault();
              rename.mutate(editing, { onSuccess: () => setEditing(null) });
            }}
          >
            <input
              type="text"
              aria-label="Rename experiment"
              value={editing.name}
              onChange={(ev) => setEditing({ id: e.experiment_id, name: ev.target.value })}
              autoFocus
            />{" "}
            <button type="submit">Save</button>{" "}
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </form>
        ) : (
          <Link to={runsPath(e.experiment_id)}>{e.name}</Link>
        )}
      </td>
      <td className="muted">{e.experiment_id}</td>
      <td>{formatTime(e.creation_time)}</td>
      <td>{formatTime(e.last_update_time)}</td>
      <td>
        {view === "ACTIVE_ONLY" ? (
          <>
            <Gated reason={can.why("EDIT", "rename it")}>
              <button type="button" className="link" onClick={() => setEditing({ id: e.experiment_id, name: e.name })}>
                Rename
              </button>
            </Gated>
            <Gated reason={can.why("MANAGE", "delete it")}>
              <button
                type="button"
                className="link"
                onClick={() => {
                  if (window.confirm(`Delete experiment "${e.name}"? It can be restored later.`)) remove.mutate(e.experiment_id);
                }}
              >
                Delete
              </button>
            </Gated>
          </>
        ) : (
          <Gated reason={can.why("MANAGE", "restore it")}>
            <button type="button" className="link" onClick={() => restore.mutate(e.experiment_id)}>
              Restore
            </button>
          </Gated>
        )}
      </td>
    </tr>
  );
}

/** The experiments list: search by name (`?q=`), active or deleted (`?view=`), create, rename, delete, restore. */
export function ExperimentsPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get("q") ?? "";
  const view: ViewType = params.get("view") === "deleted" ? "DELETED_ONLY" : "ACTIVE_ONLY";
  const experiments = useExperiments(search, view);
  const rename = useRenameExperiment();
  const remove = useDeleteExperiment();
  const restore = useRestoreExperiment();
  const [editing, setEditing] = useState<Edit | null>(null);

  const update = (key: string, value: string) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );

  return (
    <section>
      <h1>Experiments</h1>
      <div className="toolbar">
        <input
          className="grow"
          type="search"
          placeholder="Search experiments by name"
          aria-label="Search experiments"
          defaultValue={search}
          onChange={(ev) => update("q", ev.target.value)}
        />
        <select aria-label="Show" value={view === "DELETED_ONLY" ? "deleted" : "active"} onChange={(ev) => update("view", ev.target.value === "deleted" ? "deleted" : "")}>
          <option value="active">Active</option>
          <option value="deleted">Deleted</option>
        </select>
        <CreateExperimentForm />
      </div>
      <ErrorBanner error={experiments.error} />
      <ErrorBanner error={rename.error} prefix="Rename failed" />
      <ErrorBanner error={remove.error} prefix="Delete failed" />
      <ErrorBanner error={restore.error} prefix="Restore failed" />
      {experiments.isPending ? (
        <p className="muted">Loading…</p>
      ) : (
        <table className="plain" aria-label="Experiments">
          <thead>
            <tr>
              <th>Name</th>
              <th>ID</th>
              <th>Created</th>
              <th>Last updated</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {(experiments.data ?? []).map((e) => (
              <ExperimentRow
                key={e.experiment_id}
                experiment={e}
                view={view}
                editing={editing?.id === e.experiment_id ? editing : null}
                setEditing={setEditing}
                rename={rename}
                remove={remove}
                restore={restore}
              />
            ))}
          </tbody>
        </table>
      )}
      {experiments.data?.length === 0 ? <p className="muted">No experiments match.</p> : null}
    </section>
  );
}
