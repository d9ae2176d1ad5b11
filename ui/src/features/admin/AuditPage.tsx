import { useSearchParams } from "react-router";
import { useAudit, type AuditFilter } from "@ardea/api/queries/accounts";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime } from "@ardea/lib/format";
import { AdminShell } from "./AdminShell";

const FIELDS: [keyof AuditFilter, string, string][] = [
  ["actor", "Actor", "username, system, oidc…"],
  ["action", "Action", "user.create, or token. for a family"],
  ["target", "Target", "ada, token:ab12cd34, role:3…"],
];

/** The audit log, newest first, filtered by actor, action and target (in the URL), 100 a page. */
export default function AuditPage() {
  const [params, setParams] = useSearchParams();
  const filter: AuditFilter = {
    actor: params.get("actor") ?? undefined,
    action: params.get("action") ?? undefined,
    target: params.get("target") ?? undefined,
  };
  const audit = useAudit(filter);
  const events = (audit.data?.pages ?? []).flatMap((p) => p.events);
  return (
    <AdminShell title="Audit log">
      <form
        className="toolbar"
        aria-label="Filter the audit log"
        onSubmit={(ev) => {
          ev.preventDefault();
          const data = new FormData(ev.currentTarget);
          const next = new URLSearchParams();
          for (const [key] of FIELDS) {
            const v = String(data.get(key) ?? "").trim();
            if (v) next.set(key, v);
          }
          setParams(next);
        }}
      >
        {FIELDS.map(([key, label, hint]) => (
          <input key={`${key}:${filter[key] ?? ""}`} type="text" name={key} aria-label={label} placeholder={`${label}: ${hint}`} defaultValue={filter[key] ?? ""} />
        ))}
        <button type="submit">Filter</button>
        <button type="button" onClick={() => setParams(new URLSearchParams())}>
          Clear
        </button>
      </form>
      <ErrorBanner error={audit.error} />
      <table className="plain" aria-label="Audit events">
        <thead>
          <tr>
            <th>Time</th>
            <th>Actor</th>
            <th>Action</th>
            <th>Target</th>
            <th>Details</th>
            <th>Address</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id} data-action={e.action}>
              <td>{formatTime(e.time)}</td>
              <td>{e.actor}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>{e.target ?? ""}</td>
              <td className="cell-pre">{Object.keys(e.detail).length ? JSON.stringify(e.detail) : ""}</td>
              <td className="muted">{e.ip ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {audit.isPending ? <p className="muted">Loading…</p> : null}
      {audit.isSuccess && events.length === 0 ? <p className="muted">No events match.</p> : null}
      {audit.hasNextPage ? (
        <button type="button" disabled={audit.isFetchingNextPage} onClick={() => void audit.fetchNextPage()}>
          {audit.isFetchingNextPage ? "Loading…" : "Load more"}
        </button>
      ) : null}
    </AdminShell>
  );
}
