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

/**
 * Re-renders the server components of the current page every `ms`, but only when that is safe: when a refresh's
 * request fails, Next falls back to a full page load, which would wipe what the person is typing (and offline,
 * show the browser's error page). So a tick is skipped while a field is focused or holds unsaved input, while the
 * browser is offline, and unless the app answers its health check.
 */
export function useLiveRefresh(ms = 3000, enabled = true): void {
  const router = useRouter();
  usePoll(
    async () => {
      if (!navigator.onLine || editing(document)) return;
      const healthy = await fetch("/api/health", { method: "HEAD", cache: "no-store" }).then((r) => r.ok, () => false);
      if (healthy && !editing(document)) router.refresh();
    },
    ms,
    enabled,
  );
}

/**
 * The person is writing: the focused field holds text (an empty chat box waiting for a reply does not count), or a
 * field holds a value other than the one the page rendered (a draft left unsent). React keeps a controlled field's
 * `defaultValue` equal to its value, so for those only the focus rule applies; selects are left out (an option React
 * selected carries no `defaultSelected`).
 */
export function editing(doc: Document): boolean {
  const active = doc.activeElement as HTMLElement | null;
  if (active?.isContentEditable && active.textContent) return true;
  if (active instanceof HTMLTextAreaElement || (active instanceof HTMLInputElement && !["checkbox", "radio", "button", "submit"].includes(active.type))) {
    if (active.value !== "") return true;
  }
  for (const el of doc.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("textarea, input")) {
    if (el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio")) {
      if (el.checked !== el.defaultChecked) return true;
    } else if (el.type !== "hidden" && el.value !== el.defaultValue) return true;
  }
  return false;
}
