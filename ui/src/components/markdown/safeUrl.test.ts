import { describe, expect, it } from "vitest";
import { isExternal, safeUrl } from "./safeUrl";

describe("safeUrl", () => {
  it("keeps http, https, mailto and relative URLs", () => {
    expect(safeUrl("https://example.com/a?b=1")).toBe("https://example.com/a?b=1");
    expect(safeUrl("HTTP://example.com")).toBe("HTTP://example.com");
    expect(safeUrl("mailto:a@b.c")).toBe("mailto:a@b.c");
    expect(safeUrl("/experiments/1")).toBe("/experiments/1");
    expect(safeUrl("#section")).toBe("#section");
    expect(safeUrl("docs/a:b")).toBe("docs/a:b");
    expect(safeUrl("?q=a:b")).toBe("?q=a:b");
  });

  it("drops every other scheme", () => {
    expect(safeUrl("javascript:alert(1)")).toBe("");
    expect(safeUrl("  JavaScript:alert(1)")).toBe("");
    expect(safeUrl("java\tscript:alert(1)")).toBe("");
    expect(safeUrl("data:text/html,<script>alert(1)</script>")).toBe("");
    expect(safeUrl("vbscript:msgbox")).toBe("");
    expect(safeUrl("file:///etc/passwd")).toBe("");
    expect(safeUrl("irc://irc.example.com")).toBe("");
  });

  it("tells external links apart", () => {
    expect(isExternal("https://x.y")).toBe(true);
    expect(isExternal("mailto:a@b.c")).toBe(false);
    expect(isExternal("/x")).toBe(false);
  });
});
