"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useRef } from "react";
import { capturePageview } from "./index";

/** `$current_url` is the path plus query, never the full URL (same as the reference). */
export function pageviewPath(pathname: string, query: string): string {
  return query ? `${pathname}?${query}` : pathname;
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
