"use client";

import { useEffect } from "react";

/**
 * Sets the tab's title after hydration. For a not-found page shown by `notFound()` inside a page: Next keeps that
 * page's own title ("Issues"), which would name a page the visitor may not see.
 */
export function DocumentTitle({ title }: { title: string }) {
  useEffect(() => {
    document.title = title;
  }, [title]);
  return null;
}
