import { screen, waitFor } from "@testing-library/react";
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient } from "@tanstack/react-query";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, setRequestCsrfToken, setRequestWorkspace } from "@ardea/api/client";
import { fakeFetch, type FakeRoute } from "@ardea/test/render";
import { App, shouldRetry } from "./App";

afterEach(() => {
  vi.unstubAllGlobals();
  setRequestCsrfToken(null);
  setRequestWorkspace(null);
  window.localStorage.clear();
});

const SERVER_INFO = (workspaces: boolean): FakeRoute => () => ({ json: { workspaces_enabled: workspaces } });
const EXPERIMENTS: FakeRoute = () => ({ json: { experiments: [{ experiment_id: "7", name: "seven" }] } });
const ADA = { id: 2, username: "ada", is_admin: false };
const UNAUTH = { status: 401, json: { error_code: "UNAUTHENTICATED", message: "Not signed in." } };

function renderApp(path: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MemoryRouter initialEntries={[path]}>
      <App client={client} />
    </MemoryRouter>,
  );
}

describe("App without --auth", () => {
  it("shows the pages as always: no login, no user menu, no CSRF header", async () => {
    const calls = fakeFetch({
      "GET /ajax-api/3.0/mlflow/server-info": SERVER_INFO(false),
      "POST /ajax-api/2.0/mlflow/experiments/search": EXPERIMENTS,
    });
    renderApp("/");
    expect(await screen.findByRole("link", { name: "seven" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /User menu/ })).toBeNull();
    expect(screen.queryByRole("combobox", { name: "Workspace" })).toBeNull();
    expect(calls.every((c) => !("X-CSRF-Token" in c.headers) && !("X-MLFLOW-WORKSPACE" in c.headers))).toBe(true);
  });
});

describe("App with --auth", () => {
  it("sends a signed-out user to the login page and back where they were", async () => {
    let signedIn = false;
    const calls = fakeFetch({
      "GET /ajax-api/3.0/mlflow/server-info": SERVER_INFO(false),
      "GET /ajax-api/3.0/ardea/auth/session": () => (signedIn ? { json: { user: ADA, csrf_token: "c1" } } : UNAUTH),
      "GET /ajax-api/3.0/ardea/auth/login-options": () => ({ json: { password_login: true, sso: false } }),
      "POST /ajax-api/3.0/ardea/auth/login": (body) => {
        const { password } = body as { password: string };
        if (password !== "right password") return { status: 401, json: { error_code: "UNAUTHENTICATED", message: "Invalid username or password." } };
        signedIn = true;
        return { json: { user: ADA, csrf_token: "c1" } };
      },
      "GET /ajax-api/2.0/mlflow/registered-models/search": () => ({ json: { registered_models: [] } }),
      "POST /ajax-api/2.0/mlflow/experiments/search": EXPERIMENTS,
    });
    renderApp("/models?q=x");
    await userEvent.type(await screen.findByLabelText("Username"), "ada");
    await userEvent.type(screen.getByLabelText("Password"), "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByTestId("login-error")).toHaveTextContent("Invalid username or password.");
    await userEvent.type(screen.getByLabelText("Password"), "right password");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("button", { name: "User menu of ada" })).toBeInTheDocument();
    await waitFor(() => expect(calls.some((c) => c.key === "GET /ajax-api/2.0/mlflow/registered-models/search")).toBe(true));
    const search = calls.find((c) => c.key === "GET /ajax-api/2.0/mlflow/registered-models/search")!;
    expect(search.headers["X-CSRF-Token"]).toBeUndefined();
  });

  it("tells a rate-limited user how long to wait", async () => {
    fakeFetch({
      "GET /ajax-api/3.0/mlflow/server-info": SERVER_INFO(false),
      "GET /ajax-api/3.0/ardea/auth/session": () => UNAUTH,
      "GET /ajax-api/3.0/ardea/auth/login-options": () => ({ json: { password_login: true, sso: true, sso_login_url: "/api/3.0/ardea/auth/oidc/login" } }),
      "POST /ajax-api/3.0/ardea/auth/login": () => ({
        status: 429,
        json: { error_code: "REQUEST_LIMIT_EXCEEDED", message: "Too many failed login attempts." },
        headers: { "Retry-After": "30" },
      }),
    });
    renderApp("/experiments/3");
    expect(await screen.findByRole("link", { name: "Sign in with single sign-on" })).toHaveAttribute(
      "href",
      "/api/3.0/ardea/auth/oidc/login?next=%2Fexperiments%2F3",
    );
    await userEvent.type(screen.getByLabelText("Username"), "ada");
    await userEvent.type(screen.getByLabelText("Password"), "whatever");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByTestId("login-error")).toHaveTextContent("Too many attempts: try again in 30 s.");
  });

  it("hides the password form when the server turned it off", async () => {
    fakeFetch({
      "GET /ajax-api/3.0/mlflow/server-info": SERVER_INFO(false),
      "GET /ajax-api/3.0/ardea/auth/session": () => UNAUTH,
      "GET /ajax-api/3.0/ardea/auth/login-options": () => ({ json: { password_login: false, sso: true, sso_login_url: "/sso" } }),
    });
    renderApp("/");
    expect(await screen.findByRole("link", { name: "Sign in with single sign-on" })).toBeInTheDocument();
    expect(screen.queryByLabelText("Password")).toBeNull();
  });

  it("signs out from the user menu (with the CSRF header)", async () => {
    const calls = fakeFetch({
      "GET /ajax-api/3.0/mlflow/server-info": SERVER_INFO(false),
      "GET /ajax-api/3.0/ardea/auth/session": () => ({ json: { user: { ...ADA, is_admin: true }, csrf_token: "c1" } }),
      "GET /ajax-api/3.0/ardea/auth/login-options": () => ({ json: { password_login: true, sso: false } }),
      "POST /ajax-api/3.0/ardea/auth/logout": () => ({ json: {} }),
      "POST /ajax-api/2.0/mlflow/experiments/search": EXPERIMENTS,
    });
    renderApp("/");
    await userEvent.click(await screen.findByRole("button", { name: "User menu of ada" }));
    expect(screen.getByRole("menuitem", { name: "Audit log" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("menuitem", { name: "Sign out" }));
    expect(await screen.findByLabelText("Username")).toBeInTheDocument();
    expect(calls.find((c) => c.key.endsWith("/logout"))!.headers["X-CSRF-Token"]).toBe("c1");
  });

  it("goes to the login page when a page's call answers 401 (the session ended)", async () => {
    fakeFetch({
      "GET /ajax-api/3.0/mlflow/server-info": SERVER_INFO(false),
      "GET /ajax-api/3.0/ardea/auth/session": () => ({ json: { user: ADA, csrf_token: "c1" } }),
      "GET /ajax-api/3.0/ardea/auth/login-options": () => ({ json: { password_login: true, sso: false } }),
      "POST /ajax-api/2.0/mlflow/experiments/search": () => UNAUTH,
    });
    renderApp("/");
    expect(await screen.findByLabelText("Username")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "User menu of ada" })).toBeNull();
  });
});

describe("App with workspaces", () => {
  it("names the remembered workspace on every request and switches", async () => {
    window.localStorage.setItem("ardea.workspace", "team-a");
    const calls = fakeFetch({
      "GET /ajax-api/3.0/mlflow/server-info": SERVER_INFO(true),
      "GET /ajax-api/3.0/mlflow/workspaces": () => ({ json: { workspaces: [{ name: "default" }, { name: "team-a" }, { name: "team-b" }] } }),
      "POST /ajax-api/2.0/mlflow/experiments/search": EXPERIMENTS,
    });
    renderApp("/");
    const picker = await screen.findByRole("combobox", { name: "Workspace" });
    await waitFor(() => expect(picker).toHaveValue("team-a"));
    await screen.findByRole("link", { name: "seven" });
    expect(calls.find((c) => c.key.endsWith("experiments/search"))!.headers["X-MLFLOW-WORKSPACE"]).toBe("team-a");
    await userEvent.selectOptions(picker, "team-b");
    await waitFor(() =>
      expect(calls.filter((c) => c.key.endsWith("experiments/search")).at(-1)!.headers["X-MLFLOW-WORKSPACE"]).toBe("team-b"),
    );
    expect(window.localStorage.getItem("ardea.workspace")).toBe("team-b");
  });

  it("falls back to default when the remembered workspace is gone", async () => {
    window.localStorage.setItem("ardea.workspace", "gone");
    fakeFetch({
      "GET /ajax-api/3.0/mlflow/server-info": SERVER_INFO(true),
      "GET /ajax-api/3.0/mlflow/workspaces": () => ({ json: { workspaces: [{ name: "default" }] } }),
      "POST /ajax-api/2.0/mlflow/experiments/search": EXPERIMENTS,
    });
    renderApp("/");
    const picker = await screen.findByRole("combobox", { name: "Workspace" });
    await waitFor(() => expect(picker).toHaveValue("default"));
  });
});

describe("shouldRetry", () => {
  it("retries network errors, 5xx, 408 and 429 once", () => {
    expect(shouldRetry(0, new TypeError("Failed to fetch"))).toBe(true);
    expect(shouldRetry(0, new ApiError(503, "TEMPORARILY_UNAVAILABLE", "down"))).toBe(true);
    expect(shouldRetry(0, new ApiError(429, "REQUEST_LIMIT_EXCEEDED", "slow down"))).toBe(true);
    expect(shouldRetry(0, new ApiError(408, "TIMEOUT", "late"))).toBe(true);
    expect(shouldRetry(1, new ApiError(503, "TEMPORARILY_UNAVAILABLE", "down"))).toBe(false);
  });

  it("does not retry answers that would fail again", () => {
    for (const status of [400, 401, 403, 404]) {
      expect(shouldRetry(0, new ApiError(status, "X", "no"))).toBe(false);
    }
  });
});
