import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { JsonView } from "./JsonView";

describe("JsonView", () => {
  it("shows nested values as text, collapsible, deep levels closed", async () => {
    const payload = "<img src=x onerror=alert(1)>";
    render(<JsonView value={{ a: { b: { c: { d: "deep" } } }, html: payload, n: 3 }} label="Inputs" />);
    expect(screen.getByLabelText("Inputs")).toHaveTextContent(payload);
    expect(document.querySelector("img")).toBeNull();
    expect(screen.queryByText('"deep"')).toBeNull();
    const c = screen.getByRole("button", { name: /c:/ });
    expect(c).toHaveAttribute("aria-expanded", "false");
    await userEvent.click(c);
    expect(screen.getByText('"deep"')).toBeInTheDocument();
    const root = screen.getAllByRole("button")[0]!;
    await userEvent.click(root);
    expect(screen.queryByText("3")).toBeNull();
  });

  it("shows long lists a page at a time", async () => {
    render(<JsonView value={Array.from({ length: 250 }, (_, i) => i)} />);
    expect(screen.getByText("99")).toBeInTheDocument();
    expect(screen.queryByText("100")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: /Show 150 more of 150/ }));
    expect(screen.getByText("249")).toBeInTheDocument();
  });
});
