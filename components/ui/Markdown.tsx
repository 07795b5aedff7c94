import ReactMarkdown from "react-markdown";

/**
 * User-written markdown (issue descriptions, comments, agent answers) rendered with react-markdown: it builds React
 * elements from the markdown AST, so raw HTML in the text is never rendered (`skipHtml`) and link/image URLs
 * with unsafe protocols (javascript:, data:) are dropped by its default `urlTransform`.
 */
export function Markdown({ children }: { children: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown skipHtml>{children}</ReactMarkdown>
    </div>
  );
}
