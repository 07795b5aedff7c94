import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

type MdastNode = { type: string; value?: string; children?: MdastNode[] };
/** Containers whose children are blocks: an HTML block there becomes a paragraph of its text. */
const BLOCK_PARENTS = new Set(["root", "blockquote", "listItem", "footnoteDefinition"]);

/**
 * Raw HTML in the text is shown as the text it is, never rendered and never dropped: `a<b then x>y`, `Vec<String>`
 * or `<Dialog>` in an issue keep their characters (react-markdown would drop HTML nodes; React escapes text).
 */
function remarkHtmlAsText() {
  const walk = (node: MdastNode) => {
    if (!node.children) return;
    node.children = node.children.map((child) => {
      if (child.type !== "html") {
        walk(child);
        return child;
      }
      const text = { type: "text", value: child.value ?? "" };
      return BLOCK_PARENTS.has(node.type) ? { type: "paragraph", children: [text] } : text;
    });
  };
  return (tree: MdastNode) => walk(tree);
}

/**
 * Links from user-written text never carry our page's authority; a link whose URL was dropped as unsafe is plain
 * text. An image becomes a link to it: the page's CSP loads no image from elsewhere (a broken image and a console
 * error otherwise), and an image someone else hosts would tell them who read the issue.
 */
const components: Components = {
  a: ({ href, children }) =>
    href ? (
      <a href={href} rel="nofollow noopener noreferrer">
        {children}
      </a>
    ) : (
      <span>{children}</span>
    ),
  img: ({ src, alt }) =>
    typeof src === "string" && src ? (
      <a href={src} rel="nofollow noopener noreferrer" className="markdown-image">
        {alt ? `Image: ${alt}` : "Image"}
      </a>
    ) : (
      <span>{alt}</span>
    ),
  // GitHub-flavoured task lists render as read-only boxes: ticking one here would change nothing.
  input: ({ type, checked }) => (type === "checkbox" ? <input type="checkbox" checked={!!checked} disabled readOnly aria-label={checked ? "done" : "to do"} /> : null),
};

/**
 * User-written markdown (issue descriptions, comments, agent answers) rendered with react-markdown and remark-gfm
 * (tables, task lists, strikethrough, autolinks, as agents and people write them): it builds React elements from the
 * markdown AST, so raw HTML in the text is shown as text, never rendered (`remarkHtmlAsText`), and link/image URLs with unsafe protocols
 * (javascript:, data:, vbscript:) are dropped by its default `urlTransform`.
 */
export function Markdown({ children }: { children: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={[remarkGfm, remarkHtmlAsText]} components={components}>
        {children}
      </ReactMarkdown>
    </div>
  );
}
