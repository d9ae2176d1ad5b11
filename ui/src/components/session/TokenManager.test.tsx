import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import { TokenManager } from "./TokenManager";

afterEach(() => vi.unstubAllGlobals());

const TOKEN = { id: 1, name: "laptop", prefix: "ab12cd34", kind: "pat", username: "ada", created: 1_700_000_000_000 };

describe("TokenManager", () => {
  it("creates a token, shows its secret once, lists and revokes tokens", async () => {
    let tokens = [TOKEN];
    const calls = fakeFetch({
      "GET /ajax-api/3.0/ardea/auth/tokens/list": () => ({ json: { tokens } }),
      "POST /ajax-api/3.0/ardea/auth/tokens/create": (body) => {
        const t = { ...TOKEN, id: 2, name: (body as { name: string }).name, prefix: "ef56gh78" };
        tokens = [t, ...tokens];
        return { json: { token: t, secret: "ardea_pat_ef56gh78_s3cret" } };
      },
      "POST /ajax-api/3.0/ardea/auth/tokens/revoke": () => {
        tokens = tokens.filter((t) => t.id !== 1);
        return { json: { token: { ...TOKEN, revoked: 1 } } };
      },
    });
    vi.stubGlobal("confirm", () => true);
    renderAt(<TokenManager />, "/", "/");
    expect(await screen.findByText("ab12cd34")).toBeInTheDocument();
    await userEvent.type(screen.getByRole("textbox", { name: "Token name" }), "ci");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Expires in" }), "30");
    await userEvent.click(screen.getByRole("button", { name: "Create token" }));
    expect(await screen.findByTestId("token-secret")).toHaveTextContent("ardea_pat_ef56gh78_s3cret");
    expect(calls.find((c) => c.key.endsWith("tokens/create"))!.body).toEqual({ name: "ci", expires_in_days: 30 });
    expect(await screen.findByText("ef56gh78")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByTestId("token-secret")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Revoke token laptop" }));
    await waitFor(() => expect(screen.queryByText("ab12cd34")).toBeNull());
    expect(calls.find((c) => c.key.endsWith("tokens/revoke"))!.body).toEqual({ token_id: 1 });
  });

  it("creates a never-expiring token for another account (admins)", async () => {
    const calls = fakeFetch({
      "GET /ajax-api/3.0/ardea/auth/tokens/list": () => ({ json: { tokens: [] } }),
      "POST /ajax-api/3.0/ardea/auth/tokens/create": () => ({ json: { token: { ...TOKEN, username: "etl" }, secret: "ardea_sa_x" } }),
    });
    renderAt(<TokenManager username="etl" />, "/", "/");
    await userEvent.type(await screen.findByRole("textbox", { name: "Token name" }), "cron");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Expires in" }), "Never");
    await userEvent.click(screen.getByRole("button", { name: "Create token" }));
    await screen.findByTestId("token-secret");
    expect(calls.find((c) => c.key.endsWith("tokens/create"))!.body).toEqual({ name: "cron", username: "etl" });
    expect(calls[0]!.key).toBe("GET /ajax-api/3.0/ardea/auth/tokens/list");
  });
});
