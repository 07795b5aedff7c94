import { expectedOrigin, httpOnlyCookie, OAUTH_STATE_COOKIE, OAUTH_VERIFIER_COOKIE, startGoogleLogin } from "@/lib/auth";
import { route } from "@/lib/http";
import { safeReturnPath } from "@/lib/ui/return-path";

/** Where to go after Google login (a same-origin path only), kept across the round trip like state and verifier. */
const OAUTH_NEXT_COOKIE = "tandem_oauth_next";

const shortCookie = (name: string, value: string) => httpOnlyCookie(name, value, { path: "/api/auth/google", maxAgeSeconds: 600 });

export const GET = route("/api/auth/google", async (req) => {
  const { url, state, verifier } = startGoogleLogin(expectedOrigin(req));
  const headers = new Headers({ Location: url.toString() });
  headers.append("Set-Cookie", shortCookie(OAUTH_STATE_COOKIE, state));
  headers.append("Set-Cookie", shortCookie(OAUTH_VERIFIER_COOKIE, verifier));
  const next = safeReturnPath(new URL(req.url).searchParams.get("next"));
  if (next) headers.append("Set-Cookie", shortCookie(OAUTH_NEXT_COOKIE, encodeURIComponent(next)));
  return new Response(null, { status: 302, headers });
});
