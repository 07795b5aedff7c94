import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

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
 * markdown AST, so raw HTML in the text is never rendered (`skipHtml`) and link/image URLs with unsafe protocols
 * (javascript:, data:, vbscript:) are dropped by its default `urlTransform`.
 */
export function Markdown({ children }: { children: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown skipHtml remarkPlugins={[remarkGfm]} components={components}>
        {children}
      </ReactMarkdown>
    </div>
  );
}
