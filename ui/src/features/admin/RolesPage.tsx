import { useState } from "react";
import {
  useAccounts,
  useAddRoleGrant,
  useAssignRole,
  useCreateRole,
  useDeleteRole,
  useRemoveRoleGrant,
  useRoles,
  useRoleUsers,
} from "@ardea/api/queries/accounts";
import { useWorkspaces } from "@ardea/api/queries/auth";
import type { AccountInfo, MlflowRole } from "@ardea/api/types";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { DEFAULT_WORKSPACE, useSession } from "@ardea/hooks/session";
import { AdminShell, GRANT_LEVELS, RESOURCE_TYPES } from "./AdminShell";

function RoleGrants({ role }: { role: MlflowRole }) {
  const add = useAddRoleGrant();
  const remove = useRemoveRoleGrant();
  const [type, setType] = useState<string>("experiment");
  const [pattern, setPattern] = useState("*");
  const [level, setLevel] = useState<string>("READ");
  return (
    <div aria-label={`Grants of ${role.name}`} role="group">
      <table className="plain" aria-label={`Grants of role ${role.name}`}>
        <thead>
          <tr>
            <th>Resource type</th>
            <th>Resource (id, name or *)</th>
            <th>Level</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {role.permissions.map((p) => (
            <tr key={p.id}>
              <td>{p.resource_type}</td>
              <td>
                <code>{p.resource_pattern}</code>
              </td>
              <td>{p.permission}</td>
              <td>
                <button type="button" className="link" onClick={() => remove.mutate(p.id)}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="toolbar"
        aria-label={`Add a grant to ${role.name}`}
        onSubmit={(ev) => {
          ev.preventDefault();
          add.mutate({ role_id: role.id, resource_type: type, resource_pattern: pattern.trim(), permission: level });
        }}
      >
        <select aria-label="Resource type" value={type} onChange={(ev) => setType(ev.target.value)}>
          {RESOURCE_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <input type="text" aria-label="Resource pattern" size={14} value={pattern} onChange={(ev) => setPattern(ev.target.value)} />
        <select aria-label="Level" value={level} onChange={(ev) => setLevel(ev.target.value)}>
          {GRANT_LEVELS.map((l) => (
            <option key={l}>{l}</option>
          ))}
        </select>
        <button type="submit" disabled={!pattern.trim() || add.isPending}>
          Add grant
        </button>
      </form>
      <ErrorBanner error={add.error ?? remove.error} />
    </div>
  );
}

function RoleMembers({ role, accounts }: { role: MlflowRole; accounts: AccountInfo[] }) {
  const members = useRoleUsers(role.id);
  const assign = useAssignRole();
  const [username, setUsername] = useState("");
  const byId = new Map(accounts.map((a) => [a.id, a.username]));
  const names = (members.data ?? []).map((m) => byId.get(m.user_id) ?? `user ${m.user_id}`);
  return (
    <div>
      <p>
        Held by:{" "}
        {names.length
          ? names.map((n) => (
              <span key={n} className="chip" data-member={n}>
                {n}{" "}
                <button type="button" className="link" aria-label={`Unassign ${n}`} onClick={() => assign.mutate({ username: n, role_id: role.id, assign: false })}>
                  ×
                </button>
              </span>
            ))
          : "nobody"}
      </p>
      <form
        className="toolbar"
        onSubmit={(ev) => {
          ev.preventDefault();
          assign.mutate({ username, role_id: role.id, assign: true }, { onSuccess: () => setUsername("") });
        }}
      >
        <select aria-label={`Assign ${role.name} to`} value={username} onChange={(ev) => setUsername(ev.target.value)}>
          <option value="">Choose a user…</option>
          {accounts
            .filter((a) => !names.includes(a.username))
            .map((a) => (
              <option key={a.id}>{a.username}</option>
            ))}
        </select>
        <button type="submit" disabled={!username || assign.isPending}>
          Assign
        </button>
      </form>
      <ErrorBanner error={assign.error ?? members.error} />
    </div>
  );
}

/** Roles of a workspace: create, delete, their grants (resource patterns), who holds them. */
export default function RolesPage() {
  const session = useSession();
  const workspaces = useWorkspaces(session.workspacesEnabled);
  const [workspace, setWorkspace] = useState(session.workspace);
  const roles = useRoles(workspace);
  const accounts = useAccounts();
  const create = useCreateRole();
  const remove = useDeleteRole();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  return (
    <AdminShell title="Roles">
      {session.workspacesEnabled ? (
        <label>
          Workspace{" "}
          <select aria-label="Roles of workspace" value={workspace} onChange={(ev) => setWorkspace(ev.target.value)}>
            {[DEFAULT_WORKSPACE, ...(workspaces.data ?? []).map((w) => w.name).filter((n) => n !== DEFAULT_WORKSPACE)].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
      ) : null}
      <form
        className="toolbar"
        aria-label="New role"
        onSubmit={(ev) => {
          ev.preventDefault();
          create.mutate(
            { workspace, name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) },
            {
              onSuccess: () => {
                setName("");
                setDescription("");
              },
            },
          );
        }}
      >
        <input type="text" aria-label="Role name" placeholder="role name, e.g. readers" value={name} onChange={(ev) => setName(ev.target.value)} />
        <input type="text" aria-label="Role description" placeholder="description (optional)" value={description} onChange={(ev) => setDescription(ev.target.value)} />
        <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>
          Create role
        </button>
      </form>
      <ErrorBanner error={create.error ?? roles.error ?? remove.error} />
      {(roles.data ?? []).map((role) => (
        <section key={role.id} className="chart-box role-box" data-role={role.name} aria-label={`Role ${role.name}`}>
          <h2>
            {role.name} <span className="muted">({role.workspace})</span>{" "}
            <button
              type="button"
              className="link"
              onClick={() => {
                if (window.confirm(`Delete role "${role.name}" with its grants and assignments?`)) remove.mutate(role.id);
              }}
            >
              Delete role
            </button>
          </h2>
          {role.description ? <p className="muted">{role.description}</p> : null}
          <RoleGrants role={role} />
          <RoleMembers role={role} accounts={accounts.data ?? []} />
        </section>
      ))}
      {roles.isSuccess && roles.data.length === 0 ? <p className="muted">No roles in this workspace.</p> : null}
    </AdminShell>
  );
}
