import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ExperimentsPage } from "@ardea/features/experiments";
import { fakeFetch } from "@ardea/test/render";
import { allows } from "./useCan";
import { SessionForTests, type Session } from "./session";

afterEach(() => vi.unstubAllGlobals());

function renderAs(session: Partial<Session>) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <SessionForTests value={session}>
        <MemoryRouter>
          <ExperimentsPage />
        </MemoryRouter>
      </SessionForTests>
    </QueryClientProvider>,
  );
}

const SEARCH = () => ({ json: { experiments: [{ experiment_id: "7", name: "seven" }, { experiment_id: "8", name: "eight" }] } });

describe("allows", () => {
  it("orders MLflow's levels", () => {
    expect(allows("MANAGE", "EDIT")).toBe(true);
    expect(allows("EDIT", "EDIT")).toBe(true);
    expect(allows("READ", "EDIT")).toBe(false);
    expect(allows("NO_PERMISSIONS", "READ")).toBe(false);
    expect(allows("DENY", "READ")).toBe(false);
    expect(allows(null, "READ")).toBe(false);
  });
});

describe("useCan on the experiments list", () => {
  it("disables what a reader may not do, saying why, and leaves an editor's rename alone", async () => {
    const calls = fakeFetch({
      "POST /ajax-api/2.0/mlflow/experiments/search": SEARCH,
      "GET /ajax-api/3.0/ardea/auth/access": (_b, url) => {
        expect(url.searchParams.get("resource_type")).toBe("workspace");
        return { json: { permission: "READ" } };
      },
      "GET /ajax-api/3.0/ardea/auth/access/batch": (_b, url) => {
        expect(url.searchParams.get("resource_type")).toBe("experiment");
        const levels = url.searchParams.getAll("resource_id").map((id) => ({ resource_id: id, permission: id === "7" ? "READ" : "EDIT" }));
        return { json: { levels } };
      },
    });
    renderAs({ status: "signedIn", authEnabled: true, user: { id: 2, username: "ada", is_admin: false } });
    await screen.findByRole("link", { name: "seven" });
    const seven = () => document.querySelector("tr[data-experiment='7']")!;
    const eight = () => document.querySelector("tr[data-experiment='8']")!;
    await waitFor(() => expect(seven().querySelector("button")).toBeDisabled());
    expect(seven().querySelector("[data-denied]")).toHaveAttribute(
      "title",
      "You need EDIT on this experiment to rename it; you have READ.",
    );
    await waitFor(() => expect(eight().querySelectorAll("button")[0]).toBeEnabled());
    expect(eight().querySelectorAll("button")[1]).toBeDisabled(); // delete needs MANAGE
    expect(screen.getByRole("button", { name: "Create" })).toBeDisabled();
    // the workspace alone, both rows in one batch
    expect(calls.filter((c) => c.key.endsWith("/access"))).toHaveLength(1);
    expect(calls.filter((c) => c.key.endsWith("/access/batch"))).toHaveLength(1);
  });

  it("asks nothing and allows everything with auth off, or for an admin", async () => {
    for (const session of [{}, { status: "signedIn", authEnabled: true, user: { id: 1, username: "root", is_admin: true } }] as Partial<Session>[]) {
      const calls = fakeFetch({ "POST /ajax-api/2.0/mlflow/experiments/search": SEARCH });
      const { unmount } = renderAs(session);
      await screen.findByRole("link", { name: "seven" });
      expect(document.querySelectorAll("[data-denied]")).toHaveLength(0);
      expect(calls.some((c) => c.key.includes("/ardea/auth/access"))).toBe(false);
      unmount();
      vi.unstubAllGlobals();
    }
  });

  it("asks about a row only once it comes into view", async () => {
    const observers: { cb: IntersectionObserverCallback; els: Element[] }[] = [];
    vi.stubGlobal(
      "IntersectionObserver",
      class {
        els: Element[] = [];
        constructor(cb: IntersectionObserverCallback) {
          observers.push({ cb, els: this.els });
        }
        observe(el: Element) {
          this.els.push(el);
        }
        disconnect() {}
      },
    );
    const calls = fakeFetch({
      "POST /ajax-api/2.0/mlflow/experiments/search": SEARCH,
      "GET /ajax-api/3.0/ardea/auth/access": () => ({ json: { permission: "EDIT" } }),
      "GET /ajax-api/3.0/ardea/auth/access/batch": (_b, url) => ({
        json: { levels: url.searchParams.getAll("resource_id").map((id) => ({ resource_id: id, permission: "EDIT" })) },
      }),
    });
    renderAs({ status: "signedIn", authEnabled: true, user: { id: 2, username: "ada", is_admin: false } });
    await screen.findByRole("link", { name: "eight" });
    const asked = () => calls.filter((c) => c.key.includes("/ardea/auth/access"));
    await waitFor(() => expect(asked()).toHaveLength(1)); // the workspace (Create), no row yet
    expect(document.querySelector("tr[data-experiment='8'] button")).toBeDisabled();
    const row = observers.find((o) => o.els.some((el) => el.getAttribute("data-experiment") === "8"))!;
    act(() => row.cb([{ isIntersecting: true } as IntersectionObserverEntry], {} as IntersectionObserver));
    await waitFor(() => expect(document.querySelector("tr[data-experiment='8'] button")).toBeEnabled());
    expect(asked()).toHaveLength(2);
  });
});

