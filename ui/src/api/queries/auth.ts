// The login session, server-info and the caller's access (Ardea's /3.0/ardea/auth/* routes;
// on a server without --auth they answer 404, which means "auth is off").
import { useQuery } from "@tanstack/react-query";
import { ApiError, apiGet, apiPost } from "../client";
import type { AccessInfo, LoginOptions, ServerInfo, SessionInfo, Workspace } from "../types";

export const AUTH = "/3.0/ardea/auth";

/** What the session probe found: auth off (404), signed out (401), or signed in. */
export type SessionProbe = { kind: "off" } | { kind: "signedOut" } | { kind: "signedIn"; info: SessionInfo };

/** Ask the server who the session cookie belongs to. */
export async function probeSession(signal?: AbortSignal): Promise<SessionProbe> {
  try {
    const info = await apiGet<SessionInfo>(`${AUTH}/session`, {}, signal);
    return { kind: "signedIn", info };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return { kind: "off" };
    if (e instanceof ApiError && e.status === 401) return { kind: "signedOut" };
    throw e;
  }
}

/** The server's server-info (workspaces on or off, ...). */
export function fetchServerInfo(signal?: AbortSignal): Promise<ServerInfo> {
  return apiGet<ServerInfo>("/3.0/mlflow/server-info", {}, signal);
}

/** Sign in with a password: the session (cookies are set by the answer). */
export function login(username: string, password: string): Promise<SessionInfo> {
  return apiPost<SessionInfo>(`${AUTH}/login`, { username, password });
}

/** End the session (needs the CSRF header, which the client adds). */
export function logout(): Promise<unknown> {
  return apiPost(`${AUTH}/logout`, {});
}

/** How one may sign in here (password, single sign-on). */
export function useLoginOptions() {
  return useQuery({
    queryKey: ["auth", "login-options"],
    queryFn: ({ signal }) => apiGet<LoginOptions>(`${AUTH}/login-options`, {}, signal),
    staleTime: Infinity,
  });
}

/** The workspaces the caller may use (admins: all). */
export function useWorkspaces(enabled: boolean) {
  return useQuery({
    queryKey: ["workspaces"],
    enabled,
    queryFn: ({ signal }) =>
      apiGet<{ workspaces: Workspace[] }>("/3.0/mlflow/workspaces", {}, signal).then((r) => r.workspaces),
  });
}

/** Resource types a level can be asked for. */
export type ResourceType = "experiment" | "registered_model" | "prompt" | "webhook" | "workspace" | "evaluation_dataset";

/** The key of an access query (to invalidate after sharing changes). */
export const accessKey = (resourceType: ResourceType, id: string) => ["access", resourceType, id] as const;

/** The caller's level on a resource (`enabled` false: no request, e.g. auth is off). */
export function useAccess(resourceType: ResourceType, id: string, enabled: boolean) {
  return useQuery({
    queryKey: accessKey(resourceType, id),
    enabled: enabled && id !== "",
    staleTime: 30_000,
    queryFn: ({ signal }) =>
      apiGet<AccessInfo>(`${AUTH}/access`, { resource_type: resourceType, resource_id: id }, signal),
  });
}
