import { screen, waitFor } from "@testing-library/react";
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { ReactElement } from "react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SessionForTests, type Session } from "@ardea/hooks/session";
import { fakeFetch } from "@ardea/test/render";
import AuditPage from "./AuditPage";
import RolesPage from "./RolesPage";
import UsersPage from "./UsersPage";
import WorkspacesPage from "./WorkspacesPage";

afterEach(() => vi.unstubAllGlobals());

const ADMIN: Partial<Session> = { status: "signedIn", authEnabled: true, user: { id: 1, username: "root", is_admin: true } };

function renderAs(element: ReactElement, session: Partial<Session> = ADMIN, path = "/") {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <SessionForTests value={session}>
        <MemoryRouter initialEntries={[path]}>{element}</MemoryRouter>
      </SessionForTests>
    </QueryClientProvider>,
  );
}

const ACCOUNT = (id: number, username: string, extra: object = {}) => ({ id, username, is_admin: false, kind: "user", disabled: false, created: 1, ...extra });

describe("admin pages", () => {
  it("are for admins only", () => {
    renderAs(<UsersPage />, { ...ADMIN, user: { id: 2, username: "ada", is_admin: false } });
    expect(screen.getByRole("alert")).toHaveTextContent("Only admins may see this page.");
  });

  it("create users and make them admins; service accounts are listed elsewhere", async () => {
    let users = [ACCOUNT(1, "root", { is_admin: true }), ACCOUNT(3, "etl", { kind: "service" })];
    const calls = fakeFetch({
      "GET /ajax-api/3.0/ardea/auth/users/list": () => ({ json: { users } }),
      "POST /ajax-api/2.0/mlflow/users/create": (body) => {
        users = [...users, ACCOUNT(4, (body as { username: string }).username)];
        return { json: { user: { id: 4, username: "bob", is_admin: false } } };
      },
      "PATCH /ajax-api/2.0/mlflow/users/update-admin": () => ({ json: {} }),
    });
    renderAs(<UsersPage />);
    await screen.findByText("root");
    expect(screen.queryByText("etl")).toBeNull();
    await userEvent.type(screen.getByRole("textbox", { name: "New username" }), "bob");
    await userEvent.type(screen.getByLabelText("New user's password"), "a long password 1");
    await userEvent.click(screen.getByRole("button", { name: "Create user" }));
    const row = await waitFor(() => {
      const r = document.querySelector("tr[data-user='bob']");
      expect(r).not.toBeNull();
      return r as HTMLElement;
    });
    expect(calls.find((c) => c.key.endsWith("users/create"))!.body).toEqual({ username: "bob", password: "a long password 1" });
    await userEvent.click(row.querySelector("button")!);
    await waitFor(() => expect(calls.find((c) => c.key.endsWith("update-admin"))?.body).toEqual({ username: "bob", is_admin: true }));
    expect(document.querySelector("tr[data-user='root'] button:last-child")).toBeDisabled(); // not on oneself
  });

  it("filter the audit log from the URL and page it", async () => {
    const calls = fakeFetch({
      "GET /ajax-api/3.0/ardea/auth/audit/list": (_b, url) =>
        url.searchParams.get("page_token")
          ? { json: { events: [{ id: 1, time: 1, actor: "root", action: "user.create", target: "ada", detail: {} }] } }
          : { json: { events: [{ id: 2, time: 2, actor: "root", action: "user.create", target: "bob", detail: { kind: "user" } }], next_page_token: "p2" } },
    });
    renderAs(<AuditPage />, ADMIN, "/admin/audit?action=user.");
    expect(await screen.findByText("bob")).toBeInTheDocument();
    expect(new URL(`http://x${calls[0]!.key.slice(4)}`).pathname).toBe("/ajax-api/3.0/ardea/auth/audit/list");
    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("ada")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });

  it("add a grant to a role and assign it", async () => {
    const role = { id: 5, name: "readers", description: null, workspace: "default", permissions: [] };
    const calls = fakeFetch({
      "GET /ajax-api/3.0/mlflow/roles/list": () => ({ json: { roles: [role] } }),
      "GET /ajax-api/3.0/mlflow/roles/users/list": () => ({ json: { assignments: [] } }),
      "GET /ajax-api/3.0/ardea/auth/users/list": () => ({ json: { users: [ACCOUNT(2, "ada")] } }),
      "POST /ajax-api/3.0/mlflow/roles/permissions/add": () => ({ json: { role_permission: {} } }),
      "POST /ajax-api/3.0/mlflow/roles/assign": () => ({ json: { assignment: {} } }),
    });
    renderAs(<RolesPage />);
    await screen.findByRole("heading", { name: /readers/ });
    await userEvent.click(screen.getByRole("button", { name: "Add grant" }));
    await waitFor(() =>
      expect(calls.find((c) => c.key.endsWith("permissions/add"))?.body).toEqual({
        role_id: 5,
        resource_type: "experiment",
        resource_pattern: "*",
        permission: "READ",
      }),
    );
    await userEvent.selectOptions(await screen.findByRole("combobox", { name: "Assign readers to" }), "ada");
    await userEvent.click(screen.getByRole("button", { name: "Assign" }));
    await waitFor(() => expect(calls.find((c) => c.key.endsWith("roles/assign"))?.body).toEqual({ username: "ada", role_id: 5 }));
  });

  it("create workspaces with a default permission and change it", async () => {
    const calls = fakeFetch({
      "GET /ajax-api/3.0/mlflow/workspaces": () => ({ json: { workspaces: [{ name: "default" }, { name: "team-a", default_permission: "READ" }] } }),
      "POST /ajax-api/3.0/mlflow/workspaces": () => ({ status: 201, json: { workspace: { name: "team-b" } } }),
      "PATCH /ajax-api/3.0/mlflow/workspaces/team-a": () => ({ json: { workspace: { name: "team-a" } } }),
    });
    renderAs(<WorkspacesPage />, { ...ADMIN, workspacesEnabled: true });
    const level = await screen.findByRole("combobox", { name: "Default permission of team-a" });
    expect(level).toHaveValue("READ");
    await userEvent.selectOptions(level, "EDIT");
    await waitFor(() => expect(calls.find((c) => c.key.startsWith("PATCH"))?.body).toEqual({ default_permission: "EDIT" }));
    await userEvent.type(screen.getByRole("textbox", { name: "Workspace name" }), "team-b");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Default permission" }), "USE");
    await userEvent.click(screen.getByRole("button", { name: "Create workspace" }));
    await waitFor(() => expect(calls.find((c) => c.key.startsWith("POST"))?.body).toEqual({ name: "team-b", default_permission: "USE" }));
  });
});
