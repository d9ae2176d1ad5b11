import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import ModelPage from "./ModelPage";

afterEach(() => vi.unstubAllGlobals());

describe("editing a model", () => {
  it("saves the description (PATCH update) and moves an alias", async () => {
    const model = { name: "clf", description: "", aliases: [{ alias: "champion", version: "1" }] };
    const calls = fakeFetch({
      "GET /ajax-api/2.0/mlflow/registered-models/get": () => ({ json: { registered_model: model } }),
      "GET /ajax-api/2.0/mlflow/model-versions/search": () => ({
        json: {
          model_versions: ["2", "1"].map((v) => ({
            name: "clf",
            version: v,
            status: "READY",
            aliases: model.aliases.filter((a) => a.version === v).map((a) => a.alias),
          })),
        },
      }),
      "PATCH /ajax-api/2.0/mlflow/registered-models/update": (body) => {
        model.description = (body as { description: string }).description;
        return { json: { registered_model: model } };
      },
      "POST /ajax-api/2.0/mlflow/registered-models/alias": (body) => {
        model.aliases = [{ alias: "champion", version: (body as { version: string }).version }];
        return { json: {} };
      },
    });
    renderAt(<ModelPage />, "/models/:name", "/models/clf");
    fireEvent.click(await screen.findByRole("button", { name: "Edit description" }));
    fireEvent.change(screen.getByRole("textbox", { name: "Description" }), { target: { value: "## Usage\n\n<b>x</b>" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("heading", { level: 2, name: "Usage" })).toBeInTheDocument();
    expect(screen.getByTestId("model-description").querySelector("b")).toBeNull();
    expect(calls.find((c) => c.key.startsWith("PATCH"))!.body).toEqual({ name: "clf", description: "## Usage\n\n<b>x</b>" });

    const versions = screen.getByRole("table", { name: "Versions" });
    const v2 = versions.querySelector("tr[data-version='2']") as HTMLElement;
    fireEvent.change(within(v2).getByRole("textbox", { name: "Alias for v2" }), { target: { value: "champion" } });
    fireEvent.click(within(v2).getByRole("button", { name: "Set" }));
    expect(await within(v2).findByText("@champion")).toBeInTheDocument();
    await vi.waitFor(() => expect(versions.querySelector("tr[data-version='1']")).not.toHaveTextContent("@champion"));
  });
});
