import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SessionForTests, type Session } from "@ardea/hooks/session";
import { fakeFetch } from "@ardea/test/render";
import { SharingPanel } from "./SharingPanel";

afterEach(() => vi.unstubAllGlobals());

const ADA: Partial<Session> = { status: "signedIn", authEnabled: true, user: { id: 2, username: "ada", is_admin: false } };

function renderAs(session: Partial<Session>) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <SessionForTests value={session}>
        <SharingPanel resourceType="experiment" id="7" />
      </SessionForTests>
    </QueryClientProvider>,
  );
}

const LEVEL = { can_read: true, can_use: true, can_edit: true, can_manage: true, workspace_default: "READ" };

describe("SharingPanel", () => {
  it("shows nothing without auth", () => {
    renderAs({});
    expect(screen.queryByTestId("sharing-panel")).toBeNull();
  });

  it("lets a manager see who has access, share, change and remove", async () => {
    let grants = [
      { principal_type: "user", principal: "ada", permission: "MANAGE", resource_pattern: "7" },
      { principal_type: "role", principal: "readers", permission: "READ", resource_pattern: "*", role_id: 3 },
    ];
    const calls = fakeFetch({
      "GET /ajax-api/3.0/ardea/auth/access": () => ({ json: { permission: "MANAGE", ...LEVEL, grants } }),
      "GET /ajax-api/2.0/mlflow/users/list": () => ({ json: { users: [{ id: 3, username: "bob", is_admin: false, roles: [] }] } }),
      "POST /ajax-api/3.0/mlflow/users/permissions/grant": (body) => {
        const b = body as { username: string; permission: string };
        grants = [...grants.filter((g) => g.principal !== b.username), { principal_type: "user", principal: b.username, permission: b.permission, resource_pattern: "7" }];
        return { json: {} };
      },
      "POST /ajax-api/3.0/mlflow/users/permissions/revoke": (body) => {
        grants = grants.filter((g) => g.principal !== (body as { username: string }).username);
        return { json: {} };
      },
    });
    vi.stubGlobal("confirm", () => true);
    renderAs(ADA);
    await userEvent.click(screen.getByText("Who has access"));
    expect(await screen.findByTestId("my-level")).toHaveTextContent("MANAGE");
    expect(screen.getByRole("table", { name: "Who has access" })).toHaveTextContent("readers");
    await userEvent.type(screen.getByRole("combobox", { name: "Share with user" }), "bob");
    await userEvent.click(screen.getByRole("button", { name: "Share" }));
    await waitFor(() => expect(document.querySelector("tr[data-principal='bob']")).not.toBeNull());
    expect(calls.find((c) => c.key.endsWith("/grant"))!.body).toEqual({ username: "bob", resource_type: "experiment", resource_id: "7", permission: "READ" });
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Level of bob" }), "EDIT");
    await waitFor(() => expect(screen.getByRole("combobox", { name: "Level of bob" })).toHaveValue("EDIT"));
    await userEvent.click(screen.getByRole("button", { name: "Remove bob's access" }));
    await waitFor(() => expect(document.querySelector("tr[data-principal='bob']")).toBeNull());
  });

  it("tells a reader their level only", async () => {
    fakeFetch({
      "GET /ajax-api/3.0/ardea/auth/access": () => ({ json: { permission: "READ", ...LEVEL, can_edit: false, can_manage: false, can_use: false } }),
    });
    renderAs(ADA);
    await userEvent.click(screen.getByText("Who has access"));
    expect(await screen.findByTestId("my-level")).toHaveTextContent("READ");
    expect(screen.queryByRole("table", { name: "Who has access" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Share" })).toBeNull();
  });
});
