"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useRef } from "react";
import { FREE_TEXT_URL_PARAMS } from "./client";
import { capturePageview } from "./index";

/**
 * `$current_url` is the path plus query, never the full URL (same as the reference), with what a person typed
 * (`FREE_TEXT_URL_PARAMS`) masked as posthog-js masks it elsewhere: free text is never sent.
 */
export function pageviewPath(pathname: string, query: string): string {
  if (!query) return pathname;
  const params = new URLSearchParams(query);
  let masked = false;
  for (const name of FREE_TEXT_URL_PARAMS) {
    if (params.has(name)) {
      params.set(name, "<MASKED>");
      masked = true;
    }
  }
  return `${pathname}?${masked ? params.toString() : query}`;
}

/**
 * One `$pageview` per App Router navigation, the first load included. Must sit inside `<Suspense>` because
 * `useSearchParams` opts the subtree out of static rendering. The ref survives React's dev double-invoked effects,
 * so the same navigation is never counted twice.
 */
export function PageviewTracker({ capture = capturePageview }: { capture?: (path: string) => void }) {
  const pathname = usePathname();
  const query = useSearchParams()?.toString() ?? "";
  const path = pageviewPath(pathname ?? "/", query);
  const lastCaptured = useRef<string | null>(null);

  useEffect(() => {
    if (lastCaptured.current === path) return;
    lastCaptured.current = path;
    capture(path);
  }, [path, capture]);

  return null;
}
