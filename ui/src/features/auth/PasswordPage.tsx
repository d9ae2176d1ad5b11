import { useState } from "react";
import { useSetPassword } from "@ardea/api/queries/accounts";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { useSession } from "@ardea/hooks/session";
import "@ardea/components/session/session.css";

/**
 * Change one's own password: the current one, the new one twice. The server applies its
 * password policy and answers with what is wrong; sessions and tokens stay valid.
 */
export default function PasswordPage() {
  const session = useSession();
  const setPassword = useSetPassword();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [done, setDone] = useState(false);
  if (!session.authEnabled || !session.user) {
    return <p className="muted">This server runs without authentication: there is no password to change.</p>;
  }
  const username = session.user.username;
  const mismatch = again !== "" && next !== again;
  return (
    <section>
      <h1>Change my password</h1>
      <form
        className="password-form"
        aria-label="Change password"
        onSubmit={(ev) => {
          ev.preventDefault();
          setDone(false);
          setPassword.mutate(
            { username, password: next, current_password: current },
            {
              onSuccess: () => {
                setDone(true);
                setCurrent("");
                setNext("");
                setAgain("");
              },
            },
          );
        }}
      >
        <label>
          Current password
          <input type="password" autoComplete="current-password" value={current} onChange={(ev) => setCurrent(ev.target.value)} required />
        </label>
        <label>
          New password
          <input type="password" autoComplete="new-password" value={next} onChange={(ev) => setNext(ev.target.value)} required />
        </label>
        <label>
          New password again
          <input
            type="password"
            autoComplete="new-password"
            value={again}
            onChange={(ev) => setAgain(ev.target.value)}
            aria-invalid={mismatch}
            required
          />
        </label>
        {mismatch ? (
          <p className="mismatch" role="alert">
            The two new passwords differ.
          </p>
        ) : null}
        <div className="toolbar">
          <button type="submit" disabled={setPassword.isPending || !current || !next || next !== again}>
            Change password
          </button>
        </div>
      </form>
      {setPassword.error ? <ErrorBanner error={setPassword.error} /> : null}
      {done ? (
        <p role="status" className="password-done">
          Your password was changed. Use the new one the next time you sign in.
        </p>
      ) : null}
    </section>
  );
}
