import { render, screen, within } from "@testing-library/react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { otelSpan } from "@ardea/test/wire";
import type { TreeRow } from "./lazyTree";
import { SpanTree } from "./SpanTree";

// jsdom lays nothing out: give the tree's scroll box a height so the virtualizer renders rows.
const original = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "clientHeight");
beforeAll(() => Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 600 }));
afterAll(() => {
  if (original) Object.defineProperty(HTMLElement.prototype, "clientHeight", original);
});

const span = (hex: string, name: string) => otelSpan({ span_id: hex, name, start_time_unix_nano: 0, end_time_unix_nano: 1_000_000 });
const row = (hex: string, name: string, depth: number, state: "open" | "closed" | "leaf"): TreeRow => ({
  kind: "span",
  key: hex,
  id: hex,
  span: span(hex, name),
  depth,
  state,
});

describe("SpanTree", () => {
  it("shows a caret only on spans that may have children", () => {
    const rows = [row("a".repeat(16), "root", 0, "open"), row("b".repeat(16), "parent", 1, "closed"), row("c".repeat(16), "leaf", 1, "leaf")];
    const noop = () => {};
    render(<SpanTree rows={rows} bounds={[0, 1]} selected="" onSelect={noop} onToggle={noop} onLoadMore={noop} />);
    const items = screen.getAllByRole("treeitem");
    expect(items).toHaveLength(3);
    expect(within(items[0]!).getByRole("button", { name: "Collapse" })).toBeInTheDocument();
    expect(within(items[1]!).getByRole("button", { name: "Expand" })).toBeInTheDocument();
    expect(within(items[2]!).queryByRole("button")).toBeNull();
    expect(items[2]).not.toHaveAttribute("aria-expanded");
  });
});
