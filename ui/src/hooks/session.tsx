// The UI's session: is auth on, who is signed in, and which workspace the UI works in.
//
// At start the provider asks, in parallel, `GET /ajax-api/3.0/ardea/auth/session` (404: the
// server runs without --auth and the UI behaves as it always did; 401: signed out; 200: the
// user and the CSRF token) and server-info (`workspaces_enabled`). Until both answered nothing
// else renders, so that every later request carries the right headers. A 401 from any call
// later marks the session signed out (the app then shows the login page and comes back).
//
// The workspace choice is kept in localStorage (`ardea.workspace`), per browser: it survives
// reloads and new tabs; links do not carry it.
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { setRequestCsrfToken, setRequestWorkspace, setUnauthenticatedHandler } from "@ardea/api/client";
import { fetchServerInfo, logout, probeSession } from "@ardea/api/queries/auth";
import type { SessionInfo, SessionUser } from "@ardea/api/types";

/** The workspace every server has (requests that name none act in it). */
export const DEFAULT_WORKSPACE = "default";
const WORKSPACE_KEY = "ardea.workspace";

export type SessionStatus = "loading" | "error" | "off" | "signedOut" | "signedIn";

/** What the app knows of the session, and what it can do with it. */
export interface Session {
  status: SessionStatus;
  /** True on a server with --auth (signed in or out). */
  authEnabled: boolean;
  user: SessionUser | null;
  workspacesEnabled: boolean;
  /** The workspace the UI works in (`default` on a server without workspaces). */
  workspace: string;
  /** Why the start failed (status "error"). */
  error: unknown;
  /** Adopt a session the login page started. */
  signedIn: (info: SessionInfo) => void;
  /** End the session on the server and here. */
  signOut: () => Promise<void>;
  /** Work in another workspace from now on (the query cache is dropped). */
  setWorkspace: (name: string) => void;
  /** Ask the server again (after an error at start). */
  retry: () => void;
}

const SessionContext = createContext<Session | null>(null);

function storedWorkspace(): string {
  try {
    return window.localStorage.getItem(WORKSPACE_KEY) || DEFAULT_WORKSPACE;
  } catch {
    return DEFAULT_WORKSPACE;
  }
}

function storeWorkspace(name: string): void {
  try {
    if (name === DEFAULT_WORKSPACE) window.localStorage.removeItem(WORKSPACE_KEY);
    else window.localStorage.setItem(WORKSPACE_KEY, name);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

function applyWorkspace(enabled: boolean, name: string): void {
  setRequestWorkspace(enabled && name !== DEFAULT_WORKSPACE ? name : null);
}

interface State {
  status: SessionStatus;
  user: SessionUser | null;
  workspacesEnabled: boolean;
  workspace: string;
  error: unknown;
}

/** Holds the session for the app below it (inside the router and the query client). */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<State>({
    status: "loading",
    user: null,
    workspacesEnabled: false,
    workspace: DEFAULT_WORKSPACE,
    error: null,
  });

  useEffect(() => {
    const abort = new AbortController();
    Promise.all([probeSession(abort.signal), fetchServerInfo(abort.signal).catch(() => null)])
      .then(([probe, info]) => {
        const workspacesEnabled = info?.workspaces_enabled ?? false;
        const workspace = workspacesEnabled ? storedWorkspace() : DEFAULT_WORKSPACE;
        applyWorkspace(workspacesEnabled, workspace);
        setRequestCsrfToken(probe.kind === "signedIn" ? probe.info.csrf_token : null);
        setState({
          status: probe.kind,
          user: probe.kind === "signedIn" ? probe.info.user : null,
          workspacesEnabled,
          workspace,
          error: null,
        });
      })
      .catch((error: unknown) => {
        if (!abort.signal.aborted) setState((s) => ({ ...s, status: "error", error }));
      });
    return () => abort.abort();
  }, [attempt]);

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setRequestCsrfToken(null);
      setState((s) => (s.status === "signedIn" ? { ...s, status: "signedOut", user: null } : s));
    });
    return () => setUnauthenticatedHandler(null);
  }, []);

  const signedIn = useCallback(
    (info: SessionInfo) => {
      setRequestCsrfToken(info.csrf_token);
      queryClient.clear();
      setState((s) => ({ ...s, status: "signedIn", user: info.user }));
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    try {
      await logout();
    } finally {
      setRequestCsrfToken(null);
      queryClient.clear();
      setState((s) => ({ ...s, status: "signedOut", user: null }));
    }
  }, [queryClient]);

  const setWorkspace = useCallback(
    (name: string) => {
      if (!state.workspacesEnabled || state.workspace === name) return;
      storeWorkspace(name);
      applyWorkspace(true, name);
      queryClient.clear();
      setState((s) => ({ ...s, workspace: name }));
    },
    [queryClient, state.workspacesEnabled, state.workspace],
  );

  const retry = useCallback(() => {
    setState((s) => ({ ...s, status: "loading", error: null }));
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo<Session>(
    () => ({
      ...state,
      authEnabled: state.status === "signedIn" || state.status === "signedOut",
      signedIn,
      signOut,
      setWorkspace,
      retry,
    }),
    [state, signedIn, signOut, setWorkspace, retry],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session (outside a SessionProvider: auth off, no workspaces, as in tests of pages). */
export function useSession(): Session {
  return useContext(SessionContext) ?? NO_SESSION;
}

const NO_SESSION: Session = {
  status: "off",
  authEnabled: false,
  user: null,
  workspacesEnabled: false,
  workspace: DEFAULT_WORKSPACE,
  error: null,
  signedIn: () => undefined,
  signOut: async () => undefined,
  setWorkspace: () => undefined,
  retry: () => undefined,
};

/** A session value for tests (auth on, signed in as `user`, unless fields say otherwise). */
export function SessionForTests({ value, children }: { value: Partial<Session>; children: ReactNode }) {
  return <SessionContext.Provider value={{ ...NO_SESSION, ...value }}>{children}</SessionContext.Provider>;
}
