// A tiny fetch wrapper for the MLflow REST API as the UI uses it (the `/ajax-api` copies).
//
// Every request goes through `apiFetch`, which adds what the session needs: the workspace the
// user picked (`X-MLFLOW-WORKSPACE`, only on a server with workspaces) on every request, the
// login session's CSRF token (`X-CSRF-Token`) on every unsafe one, and reports a 401 to the
// session (which sends the user to the login page). The session sets these with the
// `setRequest*` functions below; without auth and workspaces nothing is added.
import type { ErrorResponse } from "./types";

/** An error answer of the server: HTTP status, MLflow error code and the server's message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Seconds to wait before trying again (a 429's `Retry-After`), when the server said. */
  readonly retryAfter: number | undefined;

  constructor(status: number, code: string, message: string, retryAfter?: number) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

export const API_PREFIX = "/ajax-api";
/** The request header naming the workspace (MLflow's). */
export const WORKSPACE_HEADER = "X-MLFLOW-WORKSPACE";
/** The request header carrying the login session's CSRF token. */
export const CSRF_HEADER = "X-CSRF-Token";
/** Where Ardea's auth routes live (relative to /ajax-api). */
export const AUTH_PREFIX = "/3.0/ardea/auth/";
/** Routes whose 401 is an answer (not signed in, a wrong password), not a session that ended. */
const QUIET_401 = [`${API_PREFIX}${AUTH_PREFIX}session`, `${API_PREFIX}${AUTH_PREFIX}login`];

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

interface RequestContext {
  csrfToken: string | null;
  workspace: string | null;
  onUnauthenticated: ((error: ApiError) => void) | null;
}

const context: RequestContext = { csrfToken: null, workspace: null, onUnauthenticated: null };

/** The CSRF token sent on unsafe requests (null: none, e.g. auth is off or signed out). */
export function setRequestCsrfToken(token: string | null): void {
  context.csrfToken = token;
}

/** The workspace named on every request (null: none, the server's `default`). */
export function setRequestWorkspace(workspace: string | null): void {
  context.workspace = workspace;
}

/** The workspace requests currently name (null: none). */
export function requestWorkspace(): string | null {
  return context.workspace;
}

/** Called with the error when a request (other than the login routes') answers 401. */
export function setUnauthenticatedHandler(handler: ((error: ApiError) => void) | null): void {
  context.onUnauthenticated = handler;
}

/** The headers the session adds to a request of `method`. */
export function sessionHeaders(method: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (context.workspace) headers[WORKSPACE_HEADER] = context.workspace;
  if (context.csrfToken && !SAFE_METHODS.has(method.toUpperCase())) headers[CSRF_HEADER] = context.csrfToken;
  return headers;
}

/**
 * `fetch` with the session's headers; a 401 (but the session probe's and the login's) is reported to the
 * session before the response is returned. `url` is a full path (`/ajax-api/...`, `/get-artifact`).
 */
export async function apiFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const method = init.method ?? "GET";
  const headers = { ...sessionHeaders(method), ...(init.headers as Record<string, string> | undefined) };
  const response = await fetch(url, { ...init, method, headers, credentials: "same-origin" });
  if (response.status === 401 && !QUIET_401.some((p) => url.startsWith(p)) && context.onUnauthenticated) {
    context.onUnauthenticated(new ApiError(401, "UNAUTHENTICATED", "Your session has ended: sign in again."));
  }
  return response;
}

export type Query = Record<string, string | number | boolean | string[] | undefined>;

function toSearch(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

function retryAfterOf(response: Response): number | undefined {
  const raw = response.headers.get("Retry-After");
  if (!raw) return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : undefined;
}

/** The error of a failed answer, from MLflow's error JSON (or the text when it is not JSON). */
export async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  let err: Partial<ErrorResponse> = {};
  try {
    err = (text ? JSON.parse(text) : {}) as Partial<ErrorResponse>;
  } catch {
    // not JSON: the text is the message
  }
  return new ApiError(
    response.status,
    err.error_code ?? "HTTP_ERROR",
    err.message ?? (text.slice(0, 500) || `HTTP ${response.status}`),
    retryAfterOf(response),
  );
}

async function parse<T>(response: Response): Promise<T> {
  if (!response.ok) throw await errorOf(response);
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = undefined;
  }
  if (body === undefined) throw new ApiError(response.status, "BAD_RESPONSE", "The server did not answer JSON.");
  return body as T;
}

/** GET `path` (relative to /ajax-api) with query parameters. */
export async function apiGet<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
  const response = await apiFetch(`${API_PREFIX}${path}${toSearch(query)}`, {
    headers: { Accept: "application/json" },
    signal,
  });
  return parse<T>(response);
}

/** POST a JSON body to `path` (relative to /ajax-api). */
export async function apiPost<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const response = await apiFetch(`${API_PREFIX}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  return parse<T>(response);
}

/** PATCH or DELETE `path` (relative to /ajax-api), with a JSON body when given; the answer parsed. */
export async function apiSendJson<T>(method: "PATCH" | "DELETE", path: string, body?: unknown, query: Query = {}): Promise<T> {
  const response = await apiFetch(`${API_PREFIX}${path}${toSearch(query)}`, {
    method,
    headers: { Accept: "application/json", ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 204) return {} as T;
  return parse<T>(response);
}

/** PATCH or DELETE with a JSON body, for edits whose answer the UI does not read. */
export async function apiSend(method: "PATCH" | "DELETE", path: string, body?: unknown): Promise<void> {
  const response = await apiFetch(`${API_PREFIX}${path}`, {
    method,
    headers: { Accept: "application/json", ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw await errorOf(response);
}
