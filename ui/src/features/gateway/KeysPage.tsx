import { useState, type FormEvent } from "react";
import { useCreateGatewayKey, useGatewayKeys, useRevokeGatewayKey } from "@ardea/api/queries/gateway";
import type { GatewayCreatedKey, GatewayKey } from "@ardea/api/types";
import { RangePicker } from "@ardea/components/charts/RangePicker";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime } from "@ardea/lib/format";
import { GatewayNav } from "./GatewayNav";
import { UsagePanel } from "./UsagePanel";
import { bucketFor } from "./usageSeries";
import { useRange } from "./useRange";

/** "a, b ,c" -> ["a", "b", "c"]. */
export const splitList = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

function status(k: GatewayKey): string {
  if (k.revoked) return "revoked";
  if (k.expires && k.expires < Date.now()) return "expired";
  return "active";
}

function NewKeyForm({ onCreated }: { onCreated: (made: GatewayCreatedKey) => void }) {
  const create = useCreateGatewayKey();
  const [name, setName] = useState("");
  const [models, setModels] = useState("");
  const [team, setTeam] = useState("");
  const [project, setProject] = useState("");
  const [days, setDays] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const metadata: Record<string, string> = {};
    if (team.trim()) metadata.team = team.trim();
    if (project.trim()) metadata.project = project.trim();
    create.mutate(
      {
        name: name.trim(),
        allowed_models: splitList(models),
        metadata,
        ...(days.trim() ? { expires_in_days: Number(days) } : {}),
      },
      { onSuccess: (made) => onCreated(made) },
    );
  };
  return (
    <form className="gateway-form" onSubmit={submit} aria-label="New key">
      <label>
        Name <input value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label>
        Allowed endpoints or models (comma-separated globs; empty: all you may use)
        <input value={models} onChange={(e) => setModels(e.target.value)} placeholder="chat, openai/gpt-4*" />
      </label>
      <label>
        Team <input value={team} onChange={(e) => setTeam(e.target.value)} />
      </label>
      <label>
        Project <input value={project} onChange={(e) => setProject(e.target.value)} />
      </label>
      <label>
        Expires in days <input type="number" min={1} value={days} onChange={(e) => setDays(e.target.value)} />
      </label>
      <button type="submit" disabled={create.isPending || !name.trim()}>
        Create key
      </button>
      <ErrorBanner error={create.error} />
    </form>
  );
}

/**
 * The gateway's virtual keys (API tokens with a gateway scope: allowed models, metadata,
 * expiry), a form to create one (its secret is shown once), and their requests, tokens and
 * cost over the range. Without --auth there are no keys; the usage of keyless calls shows
 * as "(none)".
 */
export default function KeysPage() {
  const { range, setRange } = useRange();
  const keys = useGatewayKeys();
  const revoke = useRevokeGatewayKey();
  const [made, setMade] = useState<GatewayCreatedKey | null>(null);
  const names: Record<string, string> = {};
  for (const k of keys.data ?? []) names[String(k.id)] = `${k.name} (${k.prefix}…)`;
  const noAuth = keys.error && "status" in keys.error && keys.error.status === 404;
  return (
    <div className="gateway-page">
      <GatewayNav title="Gateway keys" />
      {noAuth ? (
        <p className="muted">Virtual keys need a server started with --auth: calls here carry no key.</p>
      ) : (
        <>
          <ErrorBanner error={keys.error} />
          {made ? (
            <div className="info-banner" role="status">
              Key <strong>{made.key.name}</strong> created. Its secret is shown this once: <code data-secret>{made.secret}</code>
            </div>
          ) : null}
          {keys.data ? (
            keys.data.length ? (
              <table className="plain" aria-label="Keys">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Prefix</th>
                    <th>Owner</th>
                    <th>Allowed</th>
                    <th>Metadata</th>
                    <th>Created</th>
                    <th>Expires</th>
                    <th>Status</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {keys.data.map((k) => (
                    <tr key={k.id} data-key={k.id}>
                      <td>{k.name}</td>
                      <td>
                        <code>{k.prefix}…</code>
                      </td>
                      <td>{k.username}</td>
                      <td>{k.allowed_models.length ? k.allowed_models.join(", ") : "all"}</td>
                      <td>
                        {Object.entries(k.metadata)
                          .map(([key, value]) => `${key}=${value}`)
                          .join(", ")}
                      </td>
                      <td>{formatTime(k.created)}</td>
                      <td>{k.expires ? formatTime(k.expires) : "never"}</td>
                      <td>{status(k)}</td>
                      <td>
                        {status(k) === "active" ? (
                          <button type="button" disabled={revoke.isPending} onClick={() => revoke.mutate(k.id)}>
                            Revoke
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted">No keys yet.</p>
            )
          ) : keys.isLoading ? (
            <p className="muted">Loading…</p>
          ) : null}
          <ErrorBanner error={revoke.error} />
          <NewKeyForm onCreated={setMade} />
        </>
      )}
      <h2>Usage by key</h2>
      <RangePicker range={range} onChange={setRange} />
      {range.error ? <p className="error-banner">{range.error}</p> : null}
      <UsagePanel names={names} query={{ start: range.startMs, end: range.endMs, groupBy: "key", bucket: bucketFor(range.startMs, range.endMs) }} />
    </div>
  );
}
