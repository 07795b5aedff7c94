/**
 * A same-origin path to return to after login/onboarding, or null. Only "/x..." paths: no scheme, no "//host" or
 * "/\host" (browsers treat both as another origin), no control characters; re-parsed against a fixed origin so
 * whatever the browser would resolve stays on ours. Never back to /login itself.
 */
export function safeReturnPath(raw: string | null | undefined): string | null {
  if (!raw || raw.length > 2000) return null;
  if (!raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return null;
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw, "http://tandem.invalid");
  } catch {
    return null;
  }
  if (url.origin !== "http://tandem.invalid") return null;
  if (url.pathname === "/login" || url.pathname.startsWith("/api/")) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * Where a login lands: an invitation first (accepting one completes onboarding; an invitee has no workspace of
 * their own to create), else onboarding until onboarded (carrying `next` through it), else `next`, else `home`.
 */
export function afterLoginPath(onboarded: boolean, next: string | null | undefined, home = "/home"): string {
  const safe = safeReturnPath(next);
  if (safe?.startsWith("/invite/")) return safe;
  if (!onboarded) return safe ? `/onboarding?next=${encodeURIComponent(safe)}` : "/onboarding";
  return safe ?? home;
}

/** `/login?next=…` for a page that needs a signed-in user. */
export function loginPath(next: string | null | undefined): string {
  const safe = safeReturnPath(next);
  return safe ? `/login?next=${encodeURIComponent(safe)}` : "/login";
}

/** Set by proxy.ts on every page request: the path and query the browser asked for. */
export const REQUEST_PATH_HEADER = "x-tandem-request-path";
