import { fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import { RunDescription } from "./RunDescription";

afterEach(() => vi.unstubAllGlobals());

describe("RunDescription", () => {
  it("renders the note as Markdown without raw HTML", async () => {
    renderAt(<RunDescription runId="r1" experimentId="1" note={"# Title\n\n- a\n- b\n\n<img src=x onerror=alert(1)>"} />, "/", "/");
    expect(await screen.findByRole("heading", { level: 1, name: "Title" })).toBeInTheDocument();
    const box = screen.getByTestId("run-description");
    expect(box.querySelectorAll("li")).toHaveLength(2);
    expect(box.querySelector("img")).toBeNull();
  });

  it("toggles between editing and a preview, then saves the draft", async () => {
    const calls = fakeFetch({ "POST /ajax-api/2.0/mlflow/runs/set-tag": () => ({ json: {} }) });
    renderAt(<RunDescription runId="r1" experimentId="1" note="" />, "/", "/");
    expect(screen.getByText("No description.")).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Edit description" }));
    fireEvent.change(screen.getByRole("textbox", { name: "Description" }), { target: { value: "## Notes\n\n**bold**" } });
    fireEvent.click(screen.getByRole("button", { name: "Preview" }));
    expect(screen.queryByRole("textbox", { name: "Description" })).toBeNull();
    expect(await screen.findByRole("heading", { level: 2, name: "Notes" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Preview" })).toHaveAttribute("aria-pressed", "true");
    fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    expect(screen.getByRole("textbox", { name: "Description" })).toHaveValue("## Notes\n\n**bold**");
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(calls.some((c) => c.key === "POST /ajax-api/2.0/mlflow/runs/set-tag")).toBe(true));
    expect(calls.find((c) => c.key.endsWith("set-tag"))!.body).toEqual({ run_id: "r1", key: "mlflow.note.content", value: "## Notes\n\n**bold**" });
    expect(await screen.findByRole("button", { name: "Edit description" })).toBeInTheDocument();
  });
});
