import { useState } from "react";
import { useGrant, useRevoke, useUserNames } from "@ardea/api/queries/accounts";
import { useAccess, type ResourceType } from "@ardea/api/queries/auth";
import type { AccessGrant } from "@ardea/api/types";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { useSession } from "@ardea/hooks/session";
import "@ardea/components/session/session.css";

/** The levels a manager may give a user here. */
const SHARE_LEVELS = ["READ", "USE", "EDIT", "MANAGE", "NO_PERMISSIONS"] as const;

const NOUN: Record<ResourceType, string> = {
  experiment: "experiment",
  registered_model: "model",
  prompt: "prompt",
  webhook: "webhook",
  workspace: "workspace",
  evaluation_dataset: "dataset",
};

function UserGrantRow({ grant, share, remove }: { grant: AccessGrant; share: (username: string, level: string) => void; remove: (username: string) => void }) {
  return (
    <tr data-principal={grant.principal}>
      <td>{grant.principal}</td>
      <td>user</td>
      <td>
        <select aria-label={`Level of ${grant.principal}`} value={grant.permission} onChange={(ev) => share(grant.principal, ev.target.value)}>
          {SHARE_LEVELS.map((l) => (
            <option key={l}>{l}</option>
          ))}
          {SHARE_LEVELS.includes(grant.permission as (typeof SHARE_LEVELS)[number]) ? null : <option>{grant.permission}</option>}
        </select>
      </td>
      <td>
        <button type="button" className="link" aria-label={`Remove ${grant.principal}'s access`} onClick={() => remove(grant.principal)}>
          Remove
        </button>
      </td>
    </tr>
  );
}

/**
 * "Who has access" to one experiment, model or prompt (a collapsible panel): the caller's own
 * level, and for those who may manage it, the users and roles holding a level, with a form to
 * give a user a level and controls to change or remove users' own grants (roles are changed on
 * the Roles page). Nothing is shown on a server without auth.
 */
export function SharingPanel({ resourceType, id }: { resourceType: ResourceType; id: string }) {
  const session = useSession();
  const [open, setOpen] = useState(false);
  const signedIn = session.status === "signedIn";
  const access = useAccess(resourceType, id, signedIn && open);
  const grants = access.data?.grants;
  const manager = grants !== undefined;
  const users = useUserNames(signedIn && open && manager);
  const grant = useGrant();
  const revoke = useRevoke();
  const [username, setUsername] = useState("");
  const [level, setLevel] = useState<string>("READ");
  if (!signedIn) return null;
  const share = (who: string, permission: string) =>
    grant.mutate({ username: who, resource_type: resourceType, resource_id: id, permission });
  const remove = (who: string) => {
    if (window.confirm(`Remove ${who}'s own access to this ${NOUN[resourceType]}?`))
      revoke.mutate({ username: who, resource_type: resourceType, resource_id: id });
  };
  return (
    <details className="sharing" open={open} onToggle={(ev) => setOpen(ev.currentTarget.open)} data-testid="sharing-panel">
      <summary>Who has access</summary>
      <ErrorBanner error={access.error ?? grant.error ?? revoke.error} />
      {access.data ? (
        <p>
          Your level: <strong data-testid="my-level">{session.user?.is_admin ? "admin" : access.data.permission}</strong>
          <span className="muted">
            {" "}
            · members of the workspace get {access.data.workspace_default} unless granted otherwise
          </span>
        </p>
      ) : null}
      {access.isPending ? <p className="muted">Loading…</p> : null}
      {access.data && !manager ? <p className="muted">Only those who may manage this {NOUN[resourceType]} see who else has access.</p> : null}
      {manager ? (
        <>
          <table className="plain" aria-label="Who has access">
            <thead>
              <tr>
                <th>Who</th>
                <th>Kind</th>
                <th>Level</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {grants.map((g) =>
                g.principal_type === "user" ? (
                  <UserGrantRow key={`u:${g.principal}`} grant={g} share={share} remove={remove} />
                ) : (
                  <tr key={`r:${g.principal}:${g.resource_pattern}`} data-principal={g.principal}>
                    <td>{g.principal}</td>
                    <td>role{g.resource_pattern === "*" ? " (every " + NOUN[resourceType] + ")" : ""}</td>
                    <td>{g.permission}</td>
                    <td className="muted">change on the Roles page</td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
          {grants.length === 0 ? <p className="muted">Nobody has been given a level on it yet.</p> : null}
          <form
            className="toolbar"
            aria-label="Share"
            onSubmit={(ev) => {
              ev.preventDefault();
              grant.mutate(
                { username: username.trim(), resource_type: resourceType, resource_id: id, permission: level },
                { onSuccess: () => setUsername("") },
              );
            }}
          >
            <input
              type="text"
              aria-label="Share with user"
              placeholder="username"
              list={`share-users-${resourceType}`}
              value={username}
              onChange={(ev) => setUsername(ev.target.value)}
            />
            <datalist id={`share-users-${resourceType}`}>
              {(users.data ?? []).map((u) => (
                <option key={u} value={u} />
              ))}
            </datalist>
            <select aria-label="Level to give" value={level} onChange={(ev) => setLevel(ev.target.value)}>
              {SHARE_LEVELS.map((l) => (
                <option key={l}>{l}</option>
              ))}
            </select>
            <button type="submit" className="primary" disabled={!username.trim() || grant.isPending}>
              Share
            </button>
          </form>
        </>
      ) : null}
    </details>
  );
}
