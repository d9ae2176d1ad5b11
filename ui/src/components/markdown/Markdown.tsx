import ReactMarkdown, { defaultUrlTransform, type Components } from "react-markdown";
import { htmlAsText } from "./htmlAsText";
import { isExternal, safeUrl } from "./safeUrl";

export interface MarkdownProps {
  /** The Markdown source, as the user logged it. */
  source: string;
  className?: string;
  "data-testid"?: string;
}

// react-markdown's own filter first (it drops javascript:, data:, ...), then ours (only http,
// https, mailto and relative URLs).
const transformUrl = (url: string) => safeUrl(defaultUrlTransform(url));

const PLUGINS = [htmlAsText];

// Images become links: the page's CSP blocks remote images anyway, and a description should
// not make the browser fetch from a third party just by being opened.
const components: Components = {
  a: ({ href, children }) => {
    const url = safeUrl(href ?? "");
    return url && isExternal(url) ? (
      <a href={url} target="_blank" rel="noopener noreferrer nofollow">
        {children}
      </a>
    ) : (
      <a href={url || undefined}>{children}</a>
    );
  },
  img: ({ src, alt }) => {
    const url = typeof src === "string" ? safeUrl(src) : "";
    const text = `[image: ${alt || url || "?"}]`;
    return url ? (
      <a href={url} target="_blank" rel="noopener noreferrer nofollow">
        {text}
      </a>
    ) : (
      <span>{text}</span>
    );
  },
};

/**
 * User-written Markdown (CommonMark) rendered as React elements. Raw HTML in the source is
 * shown as the text it is (`htmlAsText`; `skipHtml` as a second guard, no rehype-raw), links
 * keep only http, https, mailto and relative URLs, images become links.
 * Load it through `LazyMarkdown` so react-markdown stays out of the first page's JavaScript.
 */
export default function Markdown({ source, className, "data-testid": testId }: MarkdownProps) {
  return (
    <div className={className ? `markdown ${className}` : "markdown"} data-testid={testId}>
      <ReactMarkdown remarkPlugins={PLUGINS} skipHtml urlTransform={transformUrl} components={components}>
        {source}
      </ReactMarkdown>
    </div>
  );
}
