import { useState } from "react";
import { useCreateToken, useRevokeToken, useTokens } from "@ardea/api/queries/accounts";
import type { CreatedToken, TokenInfo } from "@ardea/api/types";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime } from "@ardea/lib/format";
import "./session.css";

const EXPIRIES: [string, number | undefined][] = [
  ["7 days", 7],
  ["30 days", 30],
  ["90 days", 90],
  ["1 year", 365],
  ["Never", undefined],
];

function status(t: TokenInfo, now: number): string {
  if (t.revoked) return `revoked ${formatTime(t.revoked)}`;
  if (t.expires && t.expires <= now) return "expired";
  return "active";
}

/** The secret of a token just created: shown this once, with a copy button. */
export function TokenSecret({ created, onDone }: { created: CreatedToken; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="token-secret" role="status" aria-label="New token">
      <p>
        <strong>Copy the token “{created.token.name}” now:</strong> it is shown only once and cannot be shown again.
      </p>
      <code data-testid="token-secret">{created.secret}</code>
      <div className="toolbar">
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(created.secret).then(() => setCopied(true));
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

/**
 * API tokens of one account (undefined: the caller's own): create one (name and lifetime;
 * its secret shown once), list them (never a secret: the prefix identifies one), revoke.
 */
export function TokenManager({ username, label = "API tokens" }: { username?: string; label?: string }) {
  const [showRevoked, setShowRevoked] = useState(false);
  const tokens = useTokens(username, showRevoked);
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [name, setName] = useState("");
  const [days, setDays] = useState("90");
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [now] = useState(() => Date.now());
  return (
    <section aria-label={label}>
      <form
        className="toolbar"
        aria-label="New token"
        onSubmit={(ev) => {
          ev.preventDefault();
          const expires = days === "" ? undefined : Number(days);
          create.mutate(
            { name: name.trim(), ...(expires === undefined ? {} : { expires_in_days: expires }), ...(username ? { username } : {}) },
            {
              onSuccess: (r) => {
                setCreated(r);
                setName("");
              },
            },
          );
        }}
      >
        <input type="text" aria-label="Token name" placeholder="Token name, e.g. laptop" value={name} onChange={(ev) => setName(ev.target.value)} />
        <label>
          Expires in{" "}
          <select aria-label="Expires in" value={days} onChange={(ev) => setDays(ev.target.value)}>
            {EXPIRIES.map(([text, n]) => (
              <option key={text} value={n === undefined ? "" : String(n)}>
                {text}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>
          Create token
        </button>
      </form>
      <ErrorBanner error={create.error} prefix="Could not create the token" />
      {created ? <TokenSecret created={created} onDone={() => setCreated(null)} /> : null}
      <ErrorBanner error={tokens.error ?? revoke.error} />
      <label className="muted">
        <input type="checkbox" checked={showRevoked} onChange={(ev) => setShowRevoked(ev.target.checked)} /> Show revoked tokens
      </label>
      <table className="plain" aria-label="Tokens">
        <thead>
          <tr>
            <th>Name</th>
            <th>Prefix</th>
            {username === undefined ? null : <th>Account</th>}
            <th>Created</th>
            <th>Expires</th>
            <th>Last used</th>
            <th>Status</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {(tokens.data ?? []).map((t) => (
            <tr key={t.id} data-token={t.prefix} className={t.revoked ? "deleted" : ""}>
              <td>{t.name}</td>
              <td>
                <code>{t.prefix}</code>
              </td>
              {username === undefined ? null : <td>{t.username}</td>}
              <td>{formatTime(t.created)}</td>
              <td>{t.expires ? formatTime(t.expires) : "never"}</td>
              <td>{t.last_used ? formatTime(t.last_used) : "never"}</td>
              <td>{status(t, now)}</td>
              <td>
                {t.revoked ? null : (
                  <button
                    type="button"
                    className="link"
                    aria-label={`Revoke token ${t.name}`}
                    disabled={revoke.isPending}
                    onClick={() => {
                      if (window.confirm(`Revoke the token "${t.name}" (${t.prefix})? Whatever uses it stops working.`)) revoke.mutate(t.id);
                    }}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {tokens.data?.length === 0 ? <p className="muted">No tokens.</p> : null}
    </section>
  );
}
