import { expectedOrigin, OAUTH_STATE_COOKIE, OAUTH_VERIFIER_COOKIE, startGoogleLogin } from "@/lib/auth";
import { route } from "@/lib/http";

const shortCookie = (name: string, value: string) =>
  `${name}=${value}; Path=/api/auth/google; HttpOnly; SameSite=Lax; Max-Age=600`;

export const GET = route("/api/auth/google", async (req) => {
  const { url, state, verifier } = startGoogleLogin(expectedOrigin(req));
  const headers = new Headers({ Location: url.toString() });
  headers.append("Set-Cookie", shortCookie(OAUTH_STATE_COOKIE, state));
  headers.append("Set-Cookie", shortCookie(OAUTH_VERIFIER_COOKIE, verifier));
  return new Response(null, { status: 302, headers });
});
