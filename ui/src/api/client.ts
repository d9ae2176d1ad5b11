// A tiny fetch wrapper for the MLflow REST API as the UI uses it (the `/ajax-api` copies).
import type { ErrorResponse } from "./types";

/** An error answer of the server: HTTP status, MLflow error code and the server's message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

export const API_PREFIX = "/ajax-api";

type Query = Record<string, string | number | boolean | string[] | undefined>;

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

async function parse<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const err = (body ?? {}) as Partial<ErrorResponse>;
    throw new ApiError(
      response.status,
      err.error_code ?? "HTTP_ERROR",
      err.message ?? (text.slice(0, 500) || `HTTP ${response.status}`),
    );
  }
  if (body === undefined) throw new ApiError(response.status, "BAD_RESPONSE", "The server did not answer JSON.");
  return body as T;
}

/** GET `path` (relative to /ajax-api) with query parameters. */
export async function apiGet<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
  const response = await fetch(`${API_PREFIX}${path}${toSearch(query)}`, {
    headers: { Accept: "application/json" },
    signal,
  });
  return parse<T>(response);
}

/** POST a JSON body to `path` (relative to /ajax-api). */
export async function apiPost<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const response = await fetch(`${API_PREFIX}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  return parse<T>(response);
}

