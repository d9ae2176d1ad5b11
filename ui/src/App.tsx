import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation } from "react-router";
import { experimentsPath, modelsPath, promptsPath } from "@ardea/lib/paths";
import { LinkNotice } from "./components/links/LinkNotice";
import { MlflowLinkRedirect } from "./components/links/MlflowLinkRedirect";
import { ThemeToggle } from "./components/ui/ThemeToggle";
import { isMlflowLink } from "./lib/mlflowLinks";
import { AppRoutes } from "./routes";

/** A query client with the UI's defaults (no refetch on focus: tables are big). */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 10_000, refetchOnWindowFocus: false, retry: 1 },
    },
  });
}

/** The application shell: header, routes and the query client. */
export function App({ client }: { client?: QueryClient }) {
  const [queryClient] = useState(() => client ?? makeQueryClient());
  // Links the MLflow client prints route in the hash (`/#/experiments/1/runs/<id>`).
  const { pathname, search, hash } = useLocation();
  const mlflowLink = isMlflowLink(pathname, hash);
  return (
    <QueryClientProvider client={queryClient}>
      <header className="app-header">
        <Link to={experimentsPath()} className="brand">
          Ardea
        </Link>
        <Link to={experimentsPath()}>Experiments</Link>
        <Link to={modelsPath()}>Models</Link>
        <Link to={promptsPath()}>Prompts</Link>
        <span className="spacer" />
        <ThemeToggle />
      </header>
      <main className="app-main">
        <LinkNotice />
        {mlflowLink ? <MlflowLinkRedirect pathname={pathname} search={search} hash={hash} /> : <AppRoutes />}
      </main>
    </QueryClientProvider>
  );
}
