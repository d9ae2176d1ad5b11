import { useState } from "react";
import { useAccounts, useCreateServiceAccount, useDeleteUser, useSetDisabled } from "@ardea/api/queries/accounts";
import { TokenManager } from "@ardea/components/session/TokenManager";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime } from "@ardea/lib/format";
import { AdminShell } from "./AdminShell";

/** Service accounts (machines: no password, tokens only): create, disable, delete, and their tokens. */
export default function ServiceAccountsPage() {
  const accounts = useAccounts();
  const create = useCreateServiceAccount();
  const setDisabled = useSetDisabled();
  const remove = useDeleteUser();
  const [username, setUsername] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const services = (accounts.data ?? []).filter((a) => a.kind === "service");
  return (
    <AdminShell title="Service accounts">
      <p className="muted">A service account has no password and cannot sign in here: it authenticates with its tokens.</p>
      <form
        className="toolbar"
        aria-label="New service account"
        onSubmit={(ev) => {
          ev.preventDefault();
          create.mutate(username.trim(), {
            onSuccess: () => {
              setOpen(username.trim());
              setUsername("");
            },
          });
        }}
      >
        <input type="text" aria-label="Service account name" placeholder="e.g. nightly-etl" value={username} onChange={(ev) => setUsername(ev.target.value)} />
        <button type="submit" className="primary" disabled={!username.trim() || create.isPending}>
          Create service account
        </button>
      </form>
      <ErrorBanner error={create.error ?? accounts.error ?? setDisabled.error ?? remove.error} />
      <table className="plain" aria-label="Service accounts">
        <thead>
          <tr>
            <th>Name</th>
            <th>Created</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {services.map((a) => (
            <tr key={a.id} data-user={a.username} className={a.disabled ? "deleted" : ""}>
              <td>
                {a.username}
                {a.disabled ? <span className="badge">disabled</span> : null}
              </td>
              <td>{formatTime(a.created)}</td>
              <td>
                <button type="button" className="link" aria-expanded={open === a.username} onClick={() => setOpen(open === a.username ? null : a.username)}>
                  Tokens
                </button>
                <button type="button" className="link" onClick={() => setDisabled.mutate({ username: a.username, disabled: !a.disabled })}>
                  {a.disabled ? "Enable" : "Disable"}
                </button>
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    if (window.confirm(`Delete service account "${a.username}" and its tokens?`)) remove.mutate(a.username);
                  }}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {services.length === 0 && accounts.isSuccess ? <p className="muted">No service accounts yet.</p> : null}
      {open ? (
        <>
          <h2>Tokens of {open}</h2>
          <TokenManager key={open} username={open} label={`Tokens of ${open}`} />
        </>
      ) : null}
    </AdminShell>
  );
}
