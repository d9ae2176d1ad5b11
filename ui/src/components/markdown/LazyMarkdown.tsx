import { lazy, Suspense } from "react";
import type { MarkdownProps } from "./Markdown";

const Markdown = lazy(() => import("./Markdown"));

/** `Markdown`, loaded on first use; the plain source text stands in while it loads. */
export function LazyMarkdown(props: MarkdownProps) {
  return (
    <Suspense
      fallback={
        <div className={props.className ? `markdown ${props.className}` : "markdown"} data-testid={props["data-testid"]} style={{ whiteSpace: "pre-wrap" }}>
          {props.source}
        </div>
      }
    >
      <Markdown {...props} />
    </Suspense>
  );
}
