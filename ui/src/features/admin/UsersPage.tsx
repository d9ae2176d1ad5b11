import { useState } from "react";
import {
  useAccounts,
  useCreateUser,
  useDeleteUser,
  useSetAdmin,
  useSetDisabled,
  useSetPassword,
} from "@ardea/api/queries/accounts";
import type { AccountInfo } from "@ardea/api/types";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { useSession } from "@ardea/hooks/session";
import { formatTime } from "@ardea/lib/format";
import { AdminShell } from "./AdminShell";

function PasswordReset({ username, onDone }: { username: string; onDone: () => void }) {
  const [password, setPassword] = useState("");
  const save = useSetPassword();
  return (
    <form
      className="inline-form"
      onSubmit={(ev) => {
        ev.preventDefault();
        save.mutate({ username, password }, { onSuccess: onDone });
      }}
    >
      <input
        type="password"
        aria-label={`New password for ${username}`}
        placeholder="new password (12+ characters)"
        autoComplete="new-password"
        value={password}
        onChange={(ev) => setPassword(ev.target.value)}
      />
      <button type="submit" disabled={!password || save.isPending}>
        Set
      </button>
      <button type="button" onClick={onDone}>
        Cancel
      </button>
      <ErrorBanner error={save.error} />
    </form>
  );
}

function UserRow({ user, me }: { user: AccountInfo; me: string }) {
  const setAdmin = useSetAdmin();
  const setDisabled = useSetDisabled();
  const remove = useDeleteUser();
  const [resetting, setResetting] = useState(false);
  const self = user.username === me;
  return (
    <tr data-user={user.username} className={user.disabled ? "deleted" : ""}>
      <td>
        {user.username}
        {user.is_admin ? <span className="badge">admin</span> : null}
        {user.disabled ? <span className="badge">disabled</span> : null}
      </td>
      <td>{formatTime(user.created)}</td>
      <td>
        {resetting ? (
          <PasswordReset username={user.username} onDone={() => setResetting(false)} />
        ) : (
          <>
            <button type="button" className="link" onClick={() => setAdmin.mutate({ username: user.username, is_admin: !user.is_admin })}>
              {user.is_admin ? "Remove admin" : "Make admin"}
            </button>
            <button type="button" className="link" onClick={() => setResetting(true)}>
              Reset password
            </button>
            <button
              type="button"
              className="link"
              disabled={self}
              title={self ? "You cannot disable yourself." : undefined}
              onClick={() => setDisabled.mutate({ username: user.username, disabled: !user.disabled })}
            >
              {user.disabled ? "Enable" : "Disable"}
            </button>
            <button
              type="button"
              className="link"
              disabled={self}
              title={self ? "You cannot delete yourself." : undefined}
              onClick={() => {
                if (window.confirm(`Delete user "${user.username}" with its tokens, sessions, grants and roles?`)) remove.mutate(user.username);
              }}
            >
              Delete
            </button>
          </>
        )}
        <ErrorBanner error={setAdmin.error ?? setDisabled.error ?? remove.error} />
      </td>
    </tr>
  );
}

/** Users (people, not service accounts): create, make admin, reset password, disable, delete. */
export default function UsersPage() {
  const session = useSession();
  const accounts = useAccounts();
  const create = useCreateUser();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const users = (accounts.data ?? []).filter((a) => a.kind === "user");
  return (
    <AdminShell title="Users">
      <form
        className="toolbar"
        aria-label="New user"
        onSubmit={(ev) => {
          ev.preventDefault();
          create.mutate(
            { username: username.trim(), password },
            {
              onSuccess: () => {
                setUsername("");
                setPassword("");
              },
            },
          );
        }}
      >
        <input type="text" aria-label="New username" placeholder="username" autoComplete="off" value={username} onChange={(ev) => setUsername(ev.target.value)} />
        <input
          type="password"
          aria-label="New user's password"
          placeholder="password (12+ characters)"
          autoComplete="new-password"
          value={password}
          onChange={(ev) => setPassword(ev.target.value)}
        />
        <button type="submit" className="primary" disabled={!username.trim() || !password || create.isPending}>
          Create user
        </button>
      </form>
      <ErrorBanner error={create.error} prefix="Could not create the user" />
      <ErrorBanner error={accounts.error} />
      <table className="plain" aria-label="Users">
        <thead>
          <tr>
            <th>Username</th>
            <th>Created</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <UserRow key={u.id} user={u} me={session.user?.username ?? ""} />
          ))}
        </tbody>
      </table>
    </AdminShell>
  );
}
