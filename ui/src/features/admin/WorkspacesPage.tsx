import { useState } from "react";
import { useCreateWorkspace, useDeleteWorkspace, useUpdateWorkspace, type DeletionMode } from "@ardea/api/queries/accounts";
import { useWorkspaces } from "@ardea/api/queries/auth";
import type { Workspace } from "@ardea/api/types";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { DEFAULT_WORKSPACE, useSession } from "@ardea/hooks/session";
import { AdminShell } from "./AdminShell";

/** The levels a workspace's members may get by default ("": the server's default). */
const DEFAULT_LEVELS = ["READ", "USE", "EDIT", "MANAGE", "NO_PERMISSIONS"] as const;

function DefaultLevel({ value, label, onChange }: { value: string; label: string; onChange: (level: string) => void }) {
  return (
    <select aria-label={label} value={value} onChange={(ev) => onChange(ev.target.value)}>
      <option value="">server default</option>
      {DEFAULT_LEVELS.map((l) => (
        <option key={l}>{l}</option>
      ))}
    </select>
  );
}

function WorkspaceRow({ workspace }: { workspace: Workspace }) {
  const update = useUpdateWorkspace();
  const remove = useDeleteWorkspace();
  const [draft, setDraft] = useState<string | null>(null);
  const [mode, setMode] = useState<DeletionMode>("RESTRICT");
  const isDefault = workspace.name === DEFAULT_WORKSPACE;
  return (
    <tr data-workspace={workspace.name}>
      <td>{workspace.name}</td>
      <td>
        {draft === null ? (
          <>
            {workspace.description || <span className="muted">none</span>}{" "}
            <button type="button" className="link" onClick={() => setDraft(workspace.description ?? "")}>
              Edit
            </button>
          </>
        ) : (
          <form
            className="inline-form"
            onSubmit={(ev) => {
              ev.preventDefault();
              update.mutate({ name: workspace.name, description: draft }, { onSuccess: () => setDraft(null) });
            }}
          >
            <input type="text" aria-label={`Description of ${workspace.name}`} value={draft} onChange={(ev) => setDraft(ev.target.value)} />
            <button type="submit">Save</button>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </form>
        )}
      </td>
      <td>
        <DefaultLevel
          label={`Default permission of ${workspace.name}`}
          value={workspace.default_permission ?? ""}
          onChange={(level) => update.mutate({ name: workspace.name, default_permission: level })}
        />
      </td>
      <td className="muted">{workspace.default_artifact_root ?? ""}</td>
      <td>
        {isDefault ? (
          <span className="muted">always exists</span>
        ) : (
          <span className="inline-form">
            <select aria-label={`What deleting ${workspace.name} does with its contents`} value={mode} onChange={(ev) => setMode(ev.target.value as DeletionMode)}>
              <option value="RESTRICT">only if empty</option>
              <option value="SET_DEFAULT">move contents to default</option>
              <option value="CASCADE">delete contents too</option>
            </select>
            <button
              type="button"
              className="link"
              onClick={() => {
                if (window.confirm(`Delete workspace "${workspace.name}" (${mode})? Its roles and grants go with it.`))
                  remove.mutate({ name: workspace.name, mode });
              }}
            >
              Delete
            </button>
          </span>
        )}
        <ErrorBanner error={update.error ?? remove.error} />
      </td>
    </tr>
  );
}

/** Workspaces: create, change a description, delete (only if empty, moving or deleting what it holds). */
export default function WorkspacesPage() {
  const session = useSession();
  const workspaces = useWorkspaces(session.workspacesEnabled);
  const create = useCreateWorkspace();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [level, setLevel] = useState("");
  if (!session.workspacesEnabled)
    return (
      <AdminShell title="Workspaces">
        <p className="muted">This server runs without workspaces (start it with --enable-workspaces).</p>
      </AdminShell>
    );
  return (
    <AdminShell title="Workspaces">
      <p className="muted">
        Members of a workspace are the holders of a <code>workspace</code> grant there (a role&apos;s, or a user&apos;s own): USE makes a
        member, MANAGE a workspace admin. Give them on the Roles page. Members get the workspace&apos;s default permission
        on what nobody granted them anything on (unset: the server&apos;s <code>--auth-default-permission</code>).
      </p>
      <form
        className="toolbar"
        aria-label="New workspace"
        onSubmit={(ev) => {
          ev.preventDefault();
          create.mutate(
            {
              name: name.trim(),
              ...(description.trim() ? { description: description.trim() } : {}),
              ...(level ? { default_permission: level } : {}),
            },
            {
              onSuccess: () => {
                setName("");
                setDescription("");
                setLevel("");
              },
            },
          );
        }}
      >
        <input type="text" aria-label="Workspace name" placeholder="name, e.g. team-a" value={name} onChange={(ev) => setName(ev.target.value)} />
        <input type="text" aria-label="Workspace description" placeholder="description (optional)" value={description} onChange={(ev) => setDescription(ev.target.value)} />
        <label>
          Members get <DefaultLevel label="Default permission" value={level} onChange={setLevel} />
        </label>
        <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>
          Create workspace
        </button>
      </form>
      <ErrorBanner error={create.error ?? workspaces.error} />
      <table className="plain" aria-label="Workspaces">
        <thead>
          <tr>
            <th>Name</th>
            <th>Description</th>
            <th>Default permission</th>
            <th>Artifact root</th>
            <th>Delete</th>
          </tr>
        </thead>
        <tbody>
          {(workspaces.data ?? []).map((w) => (
            <WorkspaceRow key={w.name} workspace={w} />
          ))}
        </tbody>
      </table>
    </AdminShell>
  );
}
