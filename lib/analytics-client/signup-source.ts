/**
 * First-touch acquisition source, kept in a cookie until signup; the server reads it into the `signup` event.
 * Only the referrer's origin is kept, never the full URL, so an OAuth `code` or `state` cannot leak into analytics.
 */
export const SIGNUP_SOURCE_COOKIE = "tandem_signup_source";
export const SIGNUP_SOURCE_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"] as const;
export const SIGNUP_SOURCE_VALUE_MAX = 96;
/** The server discards a decoded cookie over 512 bytes, so a larger payload is dropped here rather than truncated. */
export const SIGNUP_SOURCE_JSON_MAX_BYTES = 512;
export const SIGNUP_SOURCE_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

export type SignupSource = Partial<Record<(typeof SIGNUP_SOURCE_KEYS)[number] | "referrer_origin", string>>;

/** Caps by code points, so a cut never leaves a lone surrogate (which `encodeURIComponent` would throw on). */
function cap(value: string): string {
  const points = Array.from(value);
  return points.length > SIGNUP_SOURCE_VALUE_MAX ? points.slice(0, SIGNUP_SOURCE_VALUE_MAX).join("") : value;
}

function crossOriginReferrer(referrer: string, currentOrigin: string): string | null {
  if (!referrer) return null;
  try {
    const origin = new URL(referrer).origin;
    return origin && origin !== "null" && origin !== currentOrigin ? origin : null;
  } catch {
    return null;
  }
}

/** The cookie's JSON payload, or null when there is nothing to record or the payload is too large. */
export function buildSignupSource(input: { search: string; referrer: string; origin: string }): string | null {
  const params = new URLSearchParams(input.search);
  const source: SignupSource = {};
  for (const key of SIGNUP_SOURCE_KEYS) {
    const value = params.get(key);
    if (value) source[key] = cap(value);
  }
  const referrerOrigin = crossOriginReferrer(input.referrer, input.origin);
  if (referrerOrigin) source.referrer_origin = cap(referrerOrigin);
  if (Object.keys(source).length === 0) return null;
  const json = JSON.stringify(source);
  return new TextEncoder().encode(json).length > SIGNUP_SOURCE_JSON_MAX_BYTES ? null : json;
}

export function hasCookie(cookieHeader: string, name: string): boolean {
  return cookieHeader.split(";").some((part) => part.trimStart().startsWith(`${name}=`));
}

/** Writes the cookie on the first visit that carries a source; later visits never overwrite it. */
export function captureSignupSource(doc: Document = document): boolean {
  if (hasCookie(doc.cookie, SIGNUP_SOURCE_COOKIE)) return false;
  const loc = doc.location;
  if (!loc) return false;
  const json = buildSignupSource({ search: loc.search, referrer: doc.referrer, origin: loc.origin });
  if (json === null) return false;
  const secure = loc.protocol === "https:" ? "; secure" : "";
  doc.cookie =
    `${SIGNUP_SOURCE_COOKIE}=${encodeURIComponent(json)}; path=/; max-age=${SIGNUP_SOURCE_MAX_AGE_SECONDS}; ` +
    `samesite=lax${secure}`;
  return true;
}
