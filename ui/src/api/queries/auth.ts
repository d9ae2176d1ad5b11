// The login session, server-info and the caller's access (Ardea's /3.0/ardea/auth/* routes;
// on a server without --auth they answer 404, which means "auth is off").
import { useQuery } from "@tanstack/react-query";
import { ApiError, apiGet, apiPost } from "../client";
import type { AccessBatch, AccessInfo, AccessLevel, LoginOptions, ServerInfo, SessionInfo, Workspace } from "../types";

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

/** The most resources one `access/batch` request names (the server's limit). */
const BATCH_MAX = 500;

interface Waiting {
  id: string;
  resolve: (level: AccessLevel) => void;
  reject: (error: unknown) => void;
}

const waiting = new Map<ResourceType, Waiting[]>();

async function sendBatch(resourceType: ResourceType, batch: Waiting[]): Promise<void> {
  try {
    const ids = [...new Set(batch.map((w) => w.id))];
    const answer = await apiGet<AccessBatch>(`${AUTH}/access/batch`, { resource_type: resourceType, resource_id: ids });
    const byId = new Map(answer.levels.map((l) => [l.resource_id, l]));
    for (const w of batch) {
      const level = byId.get(w.id);
      if (level) w.resolve(level);
      else w.reject(new ApiError(404, "RESOURCE_DOES_NOT_EXIST", `No ${resourceType} with id ${w.id}.`));
    }
  } catch (e) {
    batch.forEach((w) => w.reject(e));
  }
}

function flush(resourceType: ResourceType): void {
  const all = waiting.get(resourceType) ?? [];
  waiting.delete(resourceType);
  for (let i = 0; i < all.length; i += BATCH_MAX) void sendBatch(resourceType, all.slice(i, i + BATCH_MAX));
}

/**
 * The caller's level on one resource, asked together with every other level asked in the same
 * tick (one `access/batch` request where a list page would make one per row). A resource the
 * caller may not read rejects with a 404, as `access` answers.
 */
export function fetchAccessLevel(resourceType: ResourceType, id: string): Promise<AccessLevel> {
  return new Promise((resolve, reject) => {
    const queue = waiting.get(resourceType);
    if (queue) queue.push({ id, resolve, reject });
    else {
      waiting.set(resourceType, [{ id, resolve, reject }]);
      setTimeout(() => flush(resourceType), 0);
    }
  });
}

/** The caller's level on a resource, batched with the levels asked at the same time (no grants). */
export function useAccessLevel(resourceType: ResourceType, id: string, enabled: boolean) {
  return useQuery({
    queryKey: [...accessKey(resourceType, id), "level"],
    enabled: enabled && id !== "",
    staleTime: 30_000,
    queryFn: () => fetchAccessLevel(resourceType, id),
  });
}
