"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";

/**
 * Calls `fn` every `ms` while the tab is visible (and once when it becomes visible again); `enabled: false` stops it.
 * One hook for every "live" view, so they all back off the same way when nobody is looking.
 */
export function usePoll(fn: () => unknown, ms: number, enabled = true): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const tick = async () => {
      if (document.visibilityState === "visible") await saved.current();
      if (!stopped) timer = setTimeout(tick, ms);
    };
    timer = setTimeout(tick, ms);
    const onVisible = () => {
      if (document.visibilityState === "visible") void saved.current();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [ms, enabled]);
}

/** Re-renders the server components of the current page every `ms` (client state and form inputs are kept). */
export function useLiveRefresh(ms = 3000, enabled = true): void {
  const router = useRouter();
  usePoll(() => router.refresh(), ms, enabled);
}
