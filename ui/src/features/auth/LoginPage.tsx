import { useState } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { ApiError } from "@ardea/api/client";
import { login, useLoginOptions } from "@ardea/api/queries/auth";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { useSession } from "@ardea/hooks/session";
import { safeNextPath } from "@ardea/lib/paths";
import "@ardea/components/session/session.css";

/** What to tell the user when a login failed. */
export function loginErrorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) {
      const wait = error.retryAfter;
      return wait !== undefined ? `Too many attempts: try again in ${wait} s.` : "Too many attempts: try again later.";
    }
    if (error.status === 401 || error.status === 403) return error.message || "Invalid username or password.";
    return `The server could not sign you in: ${error.message}`;
  }
  return "The server cannot be reached: check your connection and try again.";
}

/**
 * The login page: a password form (unless the server turned password login off) and a
 * single sign-on button when the server has one; both come back to `?next=` once signed in.
 */
export default function LoginPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get("next"));
  const options = useLoginOptions();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const info = await login(username, password);
      session.signedIn(info);
      void navigate(next, { replace: true });
    } catch (e) {
      setError(loginErrorMessage(e));
      setPassword("");
    } finally {
      setBusy(false);
    }
  };

  const passwordLogin = options.data?.password_login ?? true;
  const ssoUrl = options.data?.sso ? options.data.sso_login_url : undefined;
  return (
    <section className="login-box" aria-label="Sign in">
      <h1>Sign in to Ardea</h1>
      <ErrorBanner error={options.error} prefix="Could not load the login options" />
      {error ? (
        <div className="error-banner" role="alert" data-testid="login-error">
          {error}
        </div>
      ) : null}
      {passwordLogin ? (
        <form
          onSubmit={(ev) => {
            ev.preventDefault();
            void submit();
          }}
        >
          <label>
            Username
            <input
              type="text"
              name="username"
              autoComplete="username"
              autoFocus
              required
              value={username}
              onChange={(ev) => setUsername(ev.target.value)}
            />
          </label>
          <label>
            Password
            <input
              type="password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(ev) => setPassword(ev.target.value)}
            />
          </label>
          <button type="submit" className="primary" disabled={busy || !username || !password}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
      ) : null}
      {ssoUrl ? (
        <>
          {passwordLogin ? <p className="or muted">or</p> : null}
          <a className="button" href={`${ssoUrl}?${new URLSearchParams({ next }).toString()}`}>
            Sign in with single sign-on
          </a>
        </>
      ) : null}
      {options.data && !passwordLogin && !ssoUrl ? (
        <p className="muted">This server offers no way to sign in from the browser.</p>
      ) : null}
    </section>
  );
}
