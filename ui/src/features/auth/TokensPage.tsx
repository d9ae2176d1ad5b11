import { TokenManager } from "@ardea/components/session/TokenManager";
import { useSession } from "@ardea/hooks/session";

/** The signed-in user's API tokens (for `MLFLOW_TRACKING_TOKEN`): create, list, revoke. */
export default function TokensPage() {
  const session = useSession();
  if (!session.authEnabled) return <p className="muted">This server runs without authentication: it needs no tokens.</p>;
  return (
    <section>
      <h1>My API tokens</h1>
      <p className="muted">
        A token lets a script or the <code>mlflow</code> client act as you: set <code>MLFLOW_TRACKING_TOKEN</code> to it.
        Revoke a token you no longer use.
      </p>
      <TokenManager label="My API tokens" />
    </section>
  );
}
