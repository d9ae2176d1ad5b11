import { render, screen, within } from "@testing-library/react";
import { defaultUrlTransform } from "react-markdown";
import { describe, expect, it } from "vitest";
import Markdown from "./Markdown";
import { LazyMarkdown } from "./LazyMarkdown";

function renderMd(source: string) {
  render(<Markdown source={source} data-testid="md" />);
  return screen.getByTestId("md");
}

describe("Markdown", () => {
  it("renders headings, lists, emphasis, code and links", () => {
    const md = renderMd("# Title\n\nSome *text* and `code`.\n\n- one\n- two\n\n1. first\n\n[docs](https://example.com/docs)");
    expect(within(md).getByRole("heading", { level: 1, name: "Title" })).toBeInTheDocument();
    expect(within(md).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["one", "two", "first"]);
    expect(md.querySelector("em")).toHaveTextContent("text");
    expect(md.querySelector("code")).toHaveTextContent("code");
    const link = within(md).getByRole("link", { name: "docs" });
    expect(link).toHaveAttribute("href", "https://example.com/docs");
    expect(link).toHaveAttribute("target", "_blank");
    expect(link.getAttribute("rel")).toContain("noopener");
  });

  it("never renders raw HTML from the source as elements, showing it as text", () => {
    const md = renderMd('<script>alert(1)</script>\n\nhello <img src=x onerror=alert(1)> <b onclick="x()">b</b>\n\n<iframe src="https://evil"></iframe>');
    expect(md.querySelector("script, img, iframe, b, [onerror], [onclick]")).toBeNull();
    expect(md).toHaveTextContent('<script>alert(1)</script>');
    expect(md).toHaveTextContent('hello <img src=x onerror=alert(1)> <b onclick="x()">b</b>');
    expect(md).toHaveTextContent('<iframe src="https://evil"></iframe>');
  });

  it("keeps angle-bracket text such as generics", () => {
    const md = renderMd("Returns List<String> and *Map<K, V>*.\n\n> <div>quoted</div>\n\n- item <span>x</span>");
    expect(md).toHaveTextContent("Returns List<String> and Map<K, V>.");
    expect(md.querySelector("em")).toHaveTextContent("Map<K, V>");
    expect(md.querySelector("blockquote")).toHaveTextContent("<div>quoted</div>");
    expect(md.querySelector("li")).toHaveTextContent("item <span>x</span>");
    expect(md.querySelector("div div, span")).toBeNull();
  });

  it("shows the stored-XSS payloads of the e2e suite as text", () => {
    const md = renderMd("note <img src=x onerror=window.__xss=1> <script>window.__xss=1</script>");
    expect(md).toHaveTextContent("note <img src=x onerror=window.__xss=1> <script>window.__xss=1</script>");
  });

  it("gives javascript: and data: links no dangerous href", () => {
    const md = renderMd("[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) [c](data:text/html,x) <javascript:alert(2)> [d](mailto:x@y.z)");
    const hrefs = [...md.querySelectorAll("a")].map((a) => a.getAttribute("href"));
    expect(hrefs.filter((h) => h && /^\s*(javascript|data):/i.test(h))).toEqual([]);
    expect(within(md).getByRole("link", { name: "d" })).toHaveAttribute("href", "mailto:x@y.z");
    expect(within(md).getByText("a").getAttribute("href")).toBeNull();
  });

  it("relies on react-markdown's default transform dropping javascript: too", () => {
    expect(defaultUrlTransform("javascript:alert(1)")).toBe("");
    expect(defaultUrlTransform("https://ok")).toBe("https://ok");
  });

  it("turns images into links instead of loading them", () => {
    const md = renderMd("![a chart](https://example.com/x.png) ![bad](javascript:alert(1))");
    expect(md.querySelector("img")).toBeNull();
    expect(within(md).getByRole("link", { name: "[image: a chart]" })).toHaveAttribute("href", "https://example.com/x.png");
    expect(within(md).getByText("[image: bad]").tagName).toBe("SPAN");
  });

  it("loads lazily, showing the source as text first", async () => {
    render(<LazyMarkdown source={"## Sub\n\n<img src=x onerror=alert(1)>"} data-testid="lazy" />);
    expect(await screen.findByRole("heading", { level: 2, name: "Sub" })).toBeInTheDocument();
    expect(screen.getByTestId("lazy").querySelector("img")).toBeNull();
  });
});
