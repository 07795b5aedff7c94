import ReactMarkdown, { type Components } from "react-markdown";

/** Links from user-written text never carry our page's authority; a link whose URL was dropped as unsafe is plain text. */
const components: Components = {
  a: ({ href, children }) =>
    href ? (
      <a href={href} rel="nofollow noopener noreferrer">
        {children}
      </a>
    ) : (
      <span>{children}</span>
    ),
};

/**
 * User-written markdown (issue descriptions, comments, agent answers) rendered with react-markdown: it builds React
 * elements from the markdown AST, so raw HTML in the text is never rendered (`skipHtml`) and link/image URLs
 * with unsafe protocols (javascript:, data:, vbscript:) are dropped by its default `urlTransform`.
 */
export function Markdown({ children }: { children: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown skipHtml components={components}>
        {children}
      </ReactMarkdown>
    </div>
  );
}
