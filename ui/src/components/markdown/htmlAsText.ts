// A remark plugin: raw HTML in Markdown becomes literal text instead of elements.

/** The part of an mdast node this plugin reads and writes. */
interface MdNode {
  type: string;
  value?: string;
  children?: MdNode[];
}

// Containers whose children are blocks: a loose HTML block there is wrapped in a paragraph.
const BLOCK_PARENTS = new Set(["root", "blockquote", "listItem", "footnoteDefinition"]);

/**
 * Replace every `html` node (block or inline) with a text node of the same source, so
 * `List<String>` or `a <b>b</b>` shows what the user typed and no tag is ever parsed as HTML.
 */
export function htmlAsText() {
  const walk = (node: MdNode) => {
    const children = node.children;
    if (!children) return;
    children.forEach((child, i) => {
      if (child.type === "html") {
        const text: MdNode = { type: "text", value: child.value ?? "" };
        children[i] = BLOCK_PARENTS.has(node.type) ? { type: "paragraph", children: [text] } : text;
      } else {
        walk(child);
      }
    });
  };
  return (tree: MdNode) => walk(tree);
}
