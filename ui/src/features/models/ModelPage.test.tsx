import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import ModelPage from "./ModelPage";
import ModelsPage from "./ModelsPage";

afterEach(() => vi.unstubAllGlobals());

describe("ModelPage", () => {
  it("lists versions with status, aliases and a link to the source run", async () => {
    const calls = fakeFetch({
      "GET /ajax-api/2.0/mlflow/registered-models/get": () => ({
        json: {
          registered_model: {
            name: "clf",
            description: "## About\n\n<b>not bold</b> *ok*",
            aliases: [{ alias: "champion", version: "2" }],
            tags: [{ key: "team", value: "vision" }],
          },
        },
      }),
      "GET /ajax-api/2.0/mlflow/model-versions/search": () => ({
        json: {
          model_versions: [
            { name: "clf", version: "2", status: "READY", aliases: ["champion"], run_id: "r9", creation_timestamp: 1_700_000_000_000, description: "**fixed** <img src=x onerror=alert(1)>" },
            { name: "clf", version: "1", status: "PENDING_REGISTRATION", source: "s3://bucket/model" },
          ],
        },
      }),
      "GET /ajax-api/2.0/mlflow/runs/get": () => ({ json: { run: { info: { run_id: "r9", run_name: "train-9", experiment_id: "4" }, data: {} } } }),
    });
    renderAt(<ModelPage />, "/models/:name", "/models/clf");
    const versions = await screen.findByRole("table", { name: "Versions" });
    await within(versions).findByText("v2");
    const rows = within(versions).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent("READY");
    expect(rows[1]).toHaveTextContent("@champion");
    expect(await within(rows[1]!).findByRole("link", { name: "train-9" })).toHaveAttribute("href", "/experiments/4/runs/r9");
    expect(rows[2]).toHaveTextContent("s3://bucket/model");
    expect(await screen.findByRole("heading", { level: 2, name: "About" })).toBeInTheDocument();
    const description = screen.getByTestId("model-description");
    expect(description).toHaveTextContent("<b>not bold</b> ok");
    expect(description.querySelector("b")).toBeNull();
    expect(await within(rows[1]!).findByText("fixed", { selector: "strong" })).toBeInTheDocument();
    expect(versions.querySelector("img")).toBeNull();
    expect(screen.getByTestId("model-aliases")).toHaveTextContent("@champion → v2");
    const search = calls.find((c) => c.key.endsWith("/model-versions/search"));
    expect(search).toBeDefined();
  });
});

describe("ModelsPage", () => {
  it("searches by name from the URL and pages with the server's token", async () => {
    const seen: URL[] = [];
    fakeFetch({
      "GET /ajax-api/2.0/mlflow/registered-models/search": (_b, url) => {
        seen.push(url);
        const second = url.searchParams.get("page_token") === "t2";
        return {
          json: second
            ? { registered_models: [{ name: "bert-2" }] }
            : { registered_models: [{ name: "bert-1", latest_versions: [{ name: "bert-1", version: "3" }] }], next_page_token: "t2" },
        };
      },
    });
    renderAt(<ModelsPage />, "/models", "/models?q=bert");
    expect(await screen.findByRole("link", { name: "bert-1" })).toHaveAttribute("href", "/models/bert-1");
    expect(seen[0]!.searchParams.get("filter")).toBe("name ILIKE '%bert%'");
    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByRole("link", { name: "bert-2" })).toBeInTheDocument();
    expect(screen.getByText("Page 2")).toBeInTheDocument();
  });
});
