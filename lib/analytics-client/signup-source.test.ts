// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import {
  buildSignupSource,
  captureSignupSource,
  hasCookie,
  SIGNUP_SOURCE_COOKIE,
  SIGNUP_SOURCE_VALUE_MAX,
} from "./signup-source";

const origin = "https://tandem.example";

describe("buildSignupSource", () => {
  it("collects the five UTM keys in a fixed order and ignores other parameters", () => {
    const json = buildSignupSource({
      search: "?utm_term=t&utm_campaign=c&utm_source=twitter&utm_medium=social&utm_content=v&foo=bar",
      referrer: "",
      origin,
    });
    expect(json).toBe('{"utm_source":"twitter","utm_medium":"social","utm_campaign":"c","utm_content":"v","utm_term":"t"}');
  });

  it("keeps only the origin of a cross-origin referrer, never its path or query", () => {
    const json = buildSignupSource({ search: "", referrer: "https://accounts.google.com/o/oauth2?code=SECRET&state=s", origin });
    expect(JSON.parse(json!)).toEqual({ referrer_origin: "https://accounts.google.com" });
    expect(json).not.toContain("SECRET");
  });

  it("ignores a same-origin or unparsable referrer, and records nothing without a source", () => {
    expect(buildSignupSource({ search: "", referrer: `${origin}/login?next=/x`, origin })).toBeNull();
    expect(buildSignupSource({ search: "", referrer: "not a url", origin })).toBeNull();
    expect(buildSignupSource({ search: "?utm_source=", referrer: "", origin })).toBeNull();
  });

  it("caps each value at 96 characters without splitting a surrogate pair", () => {
    const long = buildSignupSource({ search: `?utm_source=${"a".repeat(200)}`, referrer: "", origin });
    expect(JSON.parse(long!).utm_source).toBe("a".repeat(SIGNUP_SOURCE_VALUE_MAX));

    const emoji = "😀".repeat(100); // 200 UTF-16 units
    const capped = JSON.parse(buildSignupSource({ search: `?utm_source=${encodeURIComponent(emoji)}`, referrer: "", origin })!);
    expect(Array.from(capped.utm_source as string)).toHaveLength(SIGNUP_SOURCE_VALUE_MAX);
    expect(() => encodeURIComponent(capped.utm_source)).not.toThrow();
  });

  it("drops the whole payload when its JSON exceeds 512 bytes, never truncating it", () => {
    const v = "x".repeat(96);
    const fits = buildSignupSource({ search: `?utm_source=${v}&utm_medium=${v}&utm_campaign=${v}&utm_content=${v}`, referrer: "", origin });
    expect(fits).not.toBeNull();
    expect(fits!.length).toBeLessThanOrEqual(512);
    const tooBig = buildSignupSource({
      search: `?utm_source=${v}&utm_medium=${v}&utm_campaign=${v}&utm_content=${v}&utm_term=${v}`,
      referrer: "",
      origin,
    });
    expect(tooBig).toBeNull();
    // Counted in bytes, as the server measures it: 225 characters, but 2 × 96 three-byte "€" is over 512 bytes.
    const wide = "€".repeat(96);
    expect(buildSignupSource({ search: `?utm_source=${wide}&utm_medium=${wide}`, referrer: "", origin })).toBeNull();
  });
});

/** A document whose cookie writes are recorded verbatim, so the attributes can be checked. */
function recordingDocument(url: string, referrer = "", cookie = "") {
  const writes: string[] = [];
  const doc = {
    location: new URL(url),
    referrer,
    get cookie() {
      return cookie;
    },
    set cookie(v: string) {
      writes.push(v);
    },
  };
  return { doc: doc as unknown as Document, writes };
}

describe("captureSignupSource", () => {
  afterEach(() => {
    // Not `max-age=0`: happy-dom turns it into "expires now" and only drops cookies whose expiry is *before* now, so
    // for the rest of that millisecond an empty `tandem_signup_source=` stayed visible — and the next test, when it
    // started within the same millisecond, saw a cookie and captured nothing (the ~2-in-3 flake). A date in the past
    // deletes it at once.
    document.cookie = `${SIGNUP_SOURCE_COOKIE}=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT`;
  });

  it("writes URI-encoded JSON with path=/, a 30-day max-age and SameSite=Lax", () => {
    const { doc, writes } = recordingDocument("http://localhost:3000/?utm_source=news letter&utm_campaign=a;b=c");
    expect(captureSignupSource(doc)).toBe(true);
    const json = '{"utm_source":"news letter","utm_campaign":"a;b=c"}';
    expect(writes).toEqual([`${SIGNUP_SOURCE_COOKIE}=${encodeURIComponent(json)}; path=/; max-age=2592000; samesite=lax`]);
  });

  it("adds Secure on https", () => {
    const { doc, writes } = recordingDocument("https://tandem.example/?utm_source=x");
    captureSignupSource(doc);
    expect(writes[0]).toMatch(/; samesite=lax; secure$/);
  });

  it("never overwrites an existing cookie (first touch wins)", () => {
    const { doc, writes } = recordingDocument("http://localhost/?utm_source=second", "", `a=1; ${SIGNUP_SOURCE_COOKIE}=%7B%7D`);
    expect(captureSignupSource(doc)).toBe(false);
    expect(writes).toEqual([]);
  });

  it("writes nothing when the visit has no source", () => {
    const { doc, writes } = recordingDocument("http://localhost/pricing", "http://localhost/");
    expect(captureSignupSource(doc)).toBe(false);
    expect(writes).toEqual([]);
  });

  it("a deleted cookie is gone at once, even within the same millisecond", () => {
    document.cookie = `${SIGNUP_SOURCE_COOKIE}=x; path=/`;
    document.cookie = `${SIGNUP_SOURCE_COOKIE}=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT`;
    expect(hasCookie(document.cookie, SIGNUP_SOURCE_COOKIE)).toBe(false);
  });

  it("round-trips through a real document: the cookie decodes to the first visit's source", () => {
    expect(hasCookie(document.cookie, SIGNUP_SOURCE_COOKIE)).toBe(false); // the previous test's cleanup is complete
    window.history.replaceState(null, "", "/?utm_source=twitter&utm_campaign=x");
    expect(captureSignupSource()).toBe(true);
    window.history.replaceState(null, "", "/?utm_source=google");
    expect(captureSignupSource()).toBe(false);
    const raw = document.cookie.split("; ").find((c) => c.startsWith(`${SIGNUP_SOURCE_COOKIE}=`))!;
    expect(JSON.parse(decodeURIComponent(raw.slice(SIGNUP_SOURCE_COOKIE.length + 1)))).toEqual({
      utm_source: "twitter",
      utm_campaign: "x",
    });
  });
});

describe("hasCookie", () => {
  it("matches the exact name only", () => {
    expect(hasCookie(`x_${SIGNUP_SOURCE_COOKIE}=1`, SIGNUP_SOURCE_COOKIE)).toBe(false);
    expect(hasCookie(`a=1;${SIGNUP_SOURCE_COOKIE}=1`, SIGNUP_SOURCE_COOKIE)).toBe(true);
  });
});
