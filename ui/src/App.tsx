import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { Link, Navigate, useLocation } from "react-router";
import { datasetsPath, experimentsPath, gatewayPath, loginPath, modelsPath, promptsPath, ROUTES, safeNextPath } from "@ardea/lib/paths";
import { ApiError } from "./api/client";
import { LinkNotice } from "./components/links/LinkNotice";
import { MlflowLinkRedirect } from "./components/links/MlflowLinkRedirect";
import { UserMenu } from "./components/session/UserMenu";
import { WorkspaceSwitcher } from "./components/session/WorkspaceSwitcher";
import { ErrorBanner } from "./components/ui/ErrorBanner";
import { ThemeToggle } from "./components/ui/ThemeToggle";
import { SessionProvider, useSession } from "./hooks/session";
import { isMlflowLink } from "./lib/mlflowLinks";
import { AppRoutes } from "./routes";

/**
 * Whether a failed query is worth one more try: network errors, 5xx, 408 and 429 are; other
 * 4xx answers (401, 403, 404, a bad request) would fail the same way again.
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= 1) return false;
  if (error instanceof ApiError) {
    return error.status >= 500 || error.status === 408 || error.status === 429;
  }
  return true;
}

/** A query client with the UI's defaults (no refetch on focus: tables are big). */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 10_000, refetchOnWindowFocus: false, retry: shouldRetry },
    },
  });
}

/** The application: the query client, the session, and the shell. */
export function App({ client }: { client?: QueryClient }) {
  const [queryClient] = useState(() => client ?? makeQueryClient());
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <Shell />
      </SessionProvider>
    </QueryClientProvider>
  );
}

/**
 * Header and routes, once the session is known. Signed out (on a server with --auth), every
 * page but the login page sends the user there, with the page asked for as `?next=`.
 */
function Shell() {
  const session = useSession();
  // Links the MLflow client prints route in the hash (`/#/experiments/1/runs/<id>`).
  const { pathname, search, hash } = useLocation();
  const onLogin = pathname === ROUTES.login;
  const signedOut = session.status === "signedOut";

  if (session.status === "loading") return <p className="muted app-main">Loading…</p>;
  if (session.status === "error")
    return (
      <main className="app-main">
        <ErrorBanner error={session.error} prefix="The server cannot be reached" />
        <button type="button" onClick={session.retry}>
          Try again
        </button>
      </main>
    );
  if (signedOut && !onLogin) return <Navigate to={loginPath(`${pathname}${search}${hash}`)} replace />;
  if (!signedOut && onLogin)
    return <Navigate to={safeNextPath(new URLSearchParams(search).get("next"))} replace />;

  const mlflowLink = isMlflowLink(pathname, hash);
  return (
    <>
      <header className="app-header">
        <Link to={experimentsPath()} className="brand">
          Ardea
        </Link>
        {signedOut ? null : (
          <>
            <Link to={experimentsPath()}>Experiments</Link>
            <Link to={modelsPath()}>Models</Link>
            <Link to={promptsPath()}>Prompts</Link>
            <Link to={datasetsPath()}>Datasets</Link>
            <Link to={gatewayPath.endpoints()}>Gateway</Link>
          </>
        )}
        <span className="spacer" />
        <WorkspaceSwitcher />
        <UserMenu />
        <ThemeToggle />
      </header>
      {/* Remounted for another user or workspace: nothing of the previous one stays on screen. */}
      <main className="app-main" key={`${session.user?.id ?? "-"}:${session.workspace}`}>
        <LinkNotice />
        {mlflowLink ? <MlflowLinkRedirect pathname={pathname} search={search} hash={hash} /> : <AppRoutes />}
      </main>
    </>
  );
}
