// Test helpers: render a route of the app with a fresh query client and a scripted fetch.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { vi } from "vitest";

export type FakeRoute = (
  body: unknown,
  url: URL,
  headers: Record<string, string>,
) => { status?: number; json?: unknown; text?: string; headers?: Record<string, string> };

/**
 * Replace `fetch` with a table of `"METHOD /path"` handlers (answering `json`, or `text` as it
 * is); returns the calls made.
 */
export function fakeFetch(routes: Record<string, FakeRoute>) {
  const calls: { key: string; body: unknown; headers: Record<string, string> }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string, init?: RequestInit) => {
      const url = new URL(input, "http://localhost");
      const key = `${init?.method ?? "GET"} ${url.pathname}`;
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      const headers = { ...(init?.headers as Record<string, string> | undefined) };
      calls.push({ key, body, headers });
      const handler = routes[key];
      if (!handler) return new Response(JSON.stringify({ error_code: "ENDPOINT_NOT_FOUND", message: key }), { status: 404 });
      const out = handler(body, url, headers);
      const answer = out.text ?? JSON.stringify(out.json);
      return new Response(answer, { status: out.status ?? 200, headers: out.headers });
    }),
  );
  return calls;
}

/** Render `element` at `path` (matched by `pattern`) inside a router and a query client. */
export function renderAt(element: ReactElement, pattern: string, path: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path={pattern} element={element} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
