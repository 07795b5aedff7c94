// @vitest-environment happy-dom
import { act, StrictMode } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The router is Next's, not ours: stand in for it with a location the test moves.
const nav = vi.hoisted(() => ({ pathname: "/", query: "" }));
vi.mock("next/navigation", () => ({
  usePathname: () => nav.pathname,
  useSearchParams: () => new URLSearchParams(nav.query),
}));

import { pageviewPath, PageviewTracker } from "./pageview-tracker";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe("PageviewTracker", () => {
  let root: Root;
  let captured: string[];
  const capture = (path: string) => void captured.push(path);

  function render() {
    act(() =>
      root.render(
        <StrictMode>
          <PageviewTracker capture={capture} />
        </StrictMode>,
      ),
    );
  }

  function navigate(pathname: string, query = "") {
    nav.pathname = pathname;
    nav.query = query;
    render();
  }

  beforeEach(() => {
    captured = [];
    nav.pathname = "/";
    nav.query = "utm_source=twitter&utm_campaign=x";
    root = createRoot(document.createElement("div"));
  });

  afterEach(() => act(() => root.unmount()));

  it("sends exactly one pageview for the first load, even with StrictMode's double effects", () => {
    render();
    expect(captured).toEqual(["/?utm_source=twitter&utm_campaign=x"]);
  });

  it("sends exactly one more per navigation, path plus query, and none on a re-render of the same URL", () => {
    render();
    navigate("/issues");
    render();
    navigate("/issues", "status=open");
    navigate("/");
    expect(captured).toEqual(["/?utm_source=twitter&utm_campaign=x", "/issues", "/issues?status=open", "/"]);
  });
});

describe("pageviewPath", () => {
  it("is the path plus query, with typed search text masked and everything else as it was", () => {
    expect(pageviewPath("/w/acme/issues", "")).toBe("/w/acme/issues");
    expect(pageviewPath("/", "utm_source=x&ref=hn")).toBe("/?utm_source=x&ref=hn");
    const masked = pageviewPath("/w/acme/issues", "status=todo&q=my+secret+plan");
    expect(masked).not.toContain("secret");
    expect(new URLSearchParams(masked.split("?")[1]).get("status")).toBe("todo");
    expect(new URLSearchParams(masked.split("?")[1]).get("q")).toBe("<MASKED>");
  });
});
