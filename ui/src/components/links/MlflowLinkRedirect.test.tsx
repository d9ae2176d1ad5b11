import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch } from "@ardea/test/render";
import { isMlflowLink, mlflowLinkWorkspace, withoutLinkWorkspace } from "@ardea/lib/mlflowLinks";
import { LinkNotice } from "./LinkNotice";
import { MlflowLinkRedirect } from "./MlflowLinkRedirect";

afterEach(() => vi.unstubAllGlobals());

function Shell() {
  const { pathname, search, hash } = useLocation();
  return (
    <>
      <LinkNotice />
      {isMlflowLink(pathname, hash) ? (
        <MlflowLinkRedirect pathname={pathname} search={search} hash={hash} />
      ) : (
        <Routes>
          <Route path="*" element={<p data-testid="at">{pathname + search}</p>} />
        </Routes>
      )}
    </>
  );
}

function open(url: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[url]}>
        <Shell />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("MlflowLinkRedirect", () => {
  it("opens the page an MLflow link names", async () => {
    open("/#/experiments/3/runs/r1");
    expect(await screen.findByTestId("at")).toHaveTextContent("/experiments/3/runs/r1");
    expect(screen.queryByTestId("link-notice")).toBeNull();
  });

  it("looks up the experiment of a run named alone", async () => {
    fakeFetch({
      "GET /ajax-api/2.0/mlflow/runs/get": (_b, url) => ({
        json: { run: { info: { run_id: url.searchParams.get("run_id"), experiment_id: "9" }, data: {} } },
      }),
    });
    open("/#/runs/r7");
    expect(await screen.findByTestId("at")).toHaveTextContent("/experiments/9/runs/r7");
  });

  it("lands on the experiments list with a notice for a link it cannot map", async () => {
    open("/#/settings");
    expect(await screen.findByTestId("at")).toHaveTextContent(/^\/$/);
    expect(screen.getByTestId("link-notice")).toHaveTextContent("#/settings");
  });

  it("says why when the named run does not exist", async () => {
    fakeFetch({
      "GET /ajax-api/2.0/mlflow/runs/get": () => ({ status: 404, json: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Run 'zz' not found" } }),
    });
    open("/#/runs/zz");
    expect(await screen.findByTestId("link-notice")).toHaveTextContent("Run 'zz' not found");
    expect(screen.getByTestId("at")).toHaveTextContent(/^\/$/);
  });
});

describe("links naming a workspace", () => {
  it("finds the workspace in the hash's query (as the mlflow client prints it) or the URL's", () => {
    expect(mlflowLinkWorkspace("", "#/experiments/1/runs/abc?workspace=team-a")).toBe("team-a");
    expect(mlflowLinkWorkspace("?workspace=team-b", "#/experiments/1")).toBe("team-b");
    expect(mlflowLinkWorkspace("", "#/experiments/1")).toBeNull();
    expect(withoutLinkWorkspace("", "#/experiments/1/runs/abc?workspace=team-a")).toEqual({ search: "", hash: "#/experiments/1/runs/abc" });
    expect(withoutLinkWorkspace("?x=1&workspace=w", "#/e/1?searchFilter=a&workspace=w")).toEqual({ search: "?x=1", hash: "#/e/1?searchFilter=a" });
  });
});
