import { useEffect } from "react";
import { useNavigate } from "react-router";
import { useWorkspaces } from "@ardea/api/queries/auth";
import { DEFAULT_WORKSPACE, useSession } from "@ardea/hooks/session";
import { experimentsPath } from "@ardea/lib/paths";

/**
 * The header's workspace picker, on a server with workspaces only. It lists the workspaces the
 * caller may use; picking one drops the query cache and opens that workspace's experiments.
 * A remembered workspace that is gone (or no longer the caller's) falls back to `default`.
 */
export function WorkspaceSwitcher() {
  const session = useSession();
  const navigate = useNavigate();
  const enabled = session.workspacesEnabled && session.status !== "signedOut";
  const workspaces = useWorkspaces(enabled);
  const names = (workspaces.data ?? []).map((w) => w.name);
  if (!names.includes(DEFAULT_WORKSPACE)) names.unshift(DEFAULT_WORKSPACE);
  const known = workspaces.isSuccess ? names.includes(session.workspace) : true;
  const { setWorkspace } = session;

  useEffect(() => {
    if (!known) setWorkspace(DEFAULT_WORKSPACE);
  }, [known, setWorkspace]);

  if (!enabled) return null;
  if (!names.includes(session.workspace)) names.push(session.workspace);
  return (
    <label className="workspace-switcher">
      <span className="muted">Workspace</span>{" "}
      <select
        aria-label="Workspace"
        value={session.workspace}
        onChange={(ev) => {
          setWorkspace(ev.target.value);
          void navigate(experimentsPath());
        }}
      >
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </label>
  );
}
