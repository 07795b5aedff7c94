import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "./Markdown";

const html = (md: string) => renderToStaticMarkup(<Markdown>{md}</Markdown>);

describe("Markdown", () => {
  it("shows angle brackets in the text as text: inline and block HTML are neither rendered nor dropped", () => {
    expect(html("Compare if a<b then x>y.")).toBe('<div class="markdown"><p>Compare if a&lt;b then x&gt;y.</p></div>');
    expect(html("Use the <Dialog> component and `Vec<String>`.")).toContain("Use the &lt;Dialog&gt; component and <code>Vec&lt;String&gt;</code>.");
    const block = html("<script>alert(1)</script> [link](javascript:alert(1))\n\n> <div onclick=x>quoted</div>");
    expect(block).not.toContain("<script");
    expect(block).not.toContain("<div onclick");
    expect(block).toContain("<p>&lt;script&gt;alert(1)&lt;/script&gt; [link](javascript:alert(1))</p>");
    expect(block).toContain("<blockquote>\n<p>&lt;div onclick=x&gt;quoted&lt;/div&gt;</p>\n</blockquote>");
  });

  it("renders markdown, keeps unsafe URLs out of links and images out of the page", () => {
    const out = html("**tidy** [ok](https://example.com) [bad](javascript:alert(1)) ![logo](https://example.com/x.png)");
    expect(out).toContain("<strong>tidy</strong>");
    expect(out).toContain('<a href="https://example.com" rel="nofollow noopener noreferrer">ok</a>');
    expect(out).toContain("<span>bad</span>");
    expect(out).toContain('<a href="https://example.com/x.png" rel="nofollow noopener noreferrer" class="markdown-image">Image: logo</a>');
    expect(out).not.toContain("<img");
  });
});
