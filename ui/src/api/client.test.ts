import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch } from "@ardea/test/render";
import {
  ApiError,
  apiGet,
  apiPost,
  apiSend,
  setRequestCsrfToken,
  setRequestWorkspace,
  setUnauthenticatedHandler,
} from "./client";

afterEach(() => {
  vi.unstubAllGlobals();
  setRequestCsrfToken(null);
  setRequestWorkspace(null);
  setUnauthenticatedHandler(null);
});

describe("apiSend", () => {
  it("sends a JSON body and throws the server's error unchanged", async () => {
    const calls = fakeFetch({
      "PATCH /ajax-api/2.0/mlflow/registered-models/update": () => ({ json: { registered_model: {} } }),
      "DELETE /ajax-api/2.0/mlflow/registered-models/alias": () => ({
        status: 400,
        json: { error_code: "INVALID_PARAMETER_VALUE", message: "Invalid alias name: 'a b'." },
      }),
    });
    await apiSend("PATCH", "/2.0/mlflow/registered-models/update", { name: "m", description: "d" });
    expect(calls[0]).toMatchObject({ key: "PATCH /ajax-api/2.0/mlflow/registered-models/update", body: { name: "m", description: "d" } });
    const err = await apiSend("DELETE", "/2.0/mlflow/registered-models/alias", { name: "m", alias: "a b" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: "INVALID_PARAMETER_VALUE", message: "Invalid alias name: 'a b'." });
  });
});

describe("session headers", () => {
  const routes = {
    "GET /ajax-api/2.0/mlflow/experiments/get": () => ({ json: {} }),
    "POST /ajax-api/2.0/mlflow/experiments/create": () => ({ json: {} }),
    "PATCH /ajax-api/2.0/mlflow/registered-models/update": () => ({ json: {} }),
  };

  it("adds nothing when auth and workspaces are off", async () => {
    const calls = fakeFetch(routes);
    await apiGet("/2.0/mlflow/experiments/get");
    await apiPost("/2.0/mlflow/experiments/create", { name: "x" });
    expect(calls.map((c) => Object.keys(c.headers).filter((h) => h.startsWith("X-")))).toEqual([[], []]);
  });

  it("names the workspace on every request and sends the CSRF token on unsafe ones only", async () => {
    const calls = fakeFetch(routes);
    setRequestWorkspace("team-a");
    setRequestCsrfToken("tok");
    await apiGet("/2.0/mlflow/experiments/get");
    await apiPost("/2.0/mlflow/experiments/create", { name: "x" });
    await apiSend("PATCH", "/2.0/mlflow/registered-models/update", {});
    expect(calls[0]!.headers["X-MLFLOW-WORKSPACE"]).toBe("team-a");
    expect(calls[0]!.headers["X-CSRF-Token"]).toBeUndefined();
    expect(calls[1]!.headers).toMatchObject({ "X-MLFLOW-WORKSPACE": "team-a", "X-CSRF-Token": "tok" });
    expect(calls[2]!.headers).toMatchObject({ "X-MLFLOW-WORKSPACE": "team-a", "X-CSRF-Token": "tok" });
  });
});

describe("401 and 429", () => {
  it("reports a 401 to the session, but not the login's or the session probe's", async () => {
    const unauth = { status: 401, json: { error_code: "UNAUTHENTICATED", message: "Not signed in." } };
    fakeFetch({
      "GET /ajax-api/2.0/mlflow/experiments/get": () => unauth,
      "GET /ajax-api/3.0/ardea/auth/session": () => unauth,
      "POST /ajax-api/3.0/ardea/auth/login": () => unauth,
    });
    const seen: ApiError[] = [];
    setUnauthenticatedHandler((e) => seen.push(e));
    await expect(apiGet("/3.0/ardea/auth/session")).rejects.toMatchObject({ status: 401 });
    await expect(apiPost("/3.0/ardea/auth/login", {})).rejects.toMatchObject({ status: 401 });
    expect(seen).toHaveLength(0);
    await expect(apiGet("/2.0/mlflow/experiments/get")).rejects.toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    expect(seen).toHaveLength(1);
  });

  it("keeps a 429's Retry-After", async () => {
    fakeFetch({
      "POST /ajax-api/3.0/ardea/auth/login": () => ({
        status: 429,
        json: { error_code: "REQUEST_LIMIT_EXCEEDED", message: "Too many failed login attempts." },
        headers: { "Retry-After": "42" },
      }),
    });
    await expect(apiPost("/3.0/ardea/auth/login", {})).rejects.toMatchObject({ status: 429, retryAfter: 42 });
  });
});
