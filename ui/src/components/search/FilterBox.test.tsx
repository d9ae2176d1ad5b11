import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "@ardea/api/client";
import { FilterBox } from "./FilterBox";

describe("FilterBox", () => {
  it("applies the typed filter on Enter", async () => {
    const onApply = vi.fn();
    render(<FilterBox value="" onApply={onApply} />);
    await userEvent.type(screen.getByRole("searchbox", { name: "Filter runs" }), "metrics.acc > 0.5{Enter}");
    expect(onApply).toHaveBeenCalledWith("metrics.acc > 0.5");
  });

  it("shows the server's 400 message inline and marks the box invalid", () => {
    const error = new ApiError(400, "INVALID_PARAMETER_VALUE", "Invalid comparator '>>' in 'metrics.acc >> 1'");
    render(<FilterBox value="metrics.acc >> 1" onApply={() => {}} error={error} />);
    expect(screen.getByRole("alert")).toHaveTextContent("Invalid comparator '>>' in 'metrics.acc >> 1'");
    expect(screen.getByRole("searchbox")).toHaveAttribute("aria-invalid", "true");
  });

  it("does not blame the filter for other errors", () => {
    render(<FilterBox value="" onApply={() => {}} error={new ApiError(500, "INTERNAL_ERROR", "boom")} />);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
