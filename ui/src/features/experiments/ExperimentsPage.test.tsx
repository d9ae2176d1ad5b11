import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import { ExperimentsPage } from "./ExperimentsPage";

const PAYLOAD = "<img src=x onerror=window.__xss=1>";

afterEach(() => vi.unstubAllGlobals());

describe("ExperimentsPage", () => {
  it("lists experiments with names as text, searching on the server", async () => {
    const calls = fakeFetch({
      "POST /ajax-api/2.0/mlflow/experiments/search": () => ({
        json: { experiments: [{ experiment_id: "7", name: PAYLOAD, creation_time: 1 }] },
      }),
    });
    renderAt(<ExperimentsPage />, "/", "/?q=img");
    const link = await screen.findByRole("link", { name: PAYLOAD });
    expect(link).toHaveAttribute("href", "/experiments/7");
    expect(document.querySelector("img[src=x]")).toBeNull();
    expect(calls[0]!.body).toMatchObject({ filter: "name ILIKE '%img%'", view_type: "ACTIVE_ONLY" });
  });

  it("deletes after confirmation and shows the server's error message", async () => {
    const calls = fakeFetch({
      "POST /ajax-api/2.0/mlflow/experiments/search": () => ({ json: { experiments: [{ experiment_id: "7", name: "e" }] } }),
      "POST /ajax-api/2.0/mlflow/experiments/delete": () => ({
        status: 400,
        json: { error_code: "INVALID_PARAMETER_VALUE", message: "cannot delete the default experiment" },
      }),
    });
    vi.stubGlobal("confirm", () => true);
    renderAt(<ExperimentsPage />, "/", "/");
    await userEvent.click(await screen.findByRole("button", { name: "Delete" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Delete failed: cannot delete the default experiment");
    await waitFor(() => expect(calls.some((c) => c.key.endsWith("/delete"))).toBe(true));
    expect(calls.find((c) => c.key.endsWith("/delete"))!.body).toEqual({ experiment_id: "7" });
  });
});
