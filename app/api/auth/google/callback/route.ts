import {
  createSession,
  expectedOrigin,
  finishGoogleLogin,
  GoogleLoginError,
  httpOnlyCookie,
  OAUTH_STATE_COOKIE,
  OAUTH_VERIFIER_COOKIE,
  readSignupContext,
  sessionCookie,
} from "@/lib/auth";
import { getDb } from "@/lib/db";
import { HttpError, readCookie, route } from "@/lib/http";
import { afterLoginPath, safeReturnPath } from "@/lib/ui/return-path";

const OAUTH_NEXT_COOKIE = "tandem_oauth_next";

const clearCookie = (name: string) => httpOnlyCookie(name, "", { path: "/api/auth/google", maxAgeSeconds: 0 });

export const GET = route("/api/auth/google/callback", async (req) => {
  const url = new URL(req.url);
  const origin = expectedOrigin(req);
  const headers = new Headers();
  headers.append("Set-Cookie", clearCookie(OAUTH_STATE_COOKIE));
  headers.append("Set-Cookie", clearCookie(OAUTH_VERIFIER_COOKIE));
  headers.append("Set-Cookie", clearCookie(OAUTH_NEXT_COOKIE));
  const rawNext = readCookie(req, OAUTH_NEXT_COOKIE);
  let next: string | null = null;
  try {
    next = safeReturnPath(rawNext ? decodeURIComponent(rawNext) : null);
  } catch {
    // A mangled cookie: no return path.
  }
  try {
    const db = await getDb();
    const { isNew, user } = await finishGoogleLogin(db, origin, {
      code: url.searchParams.get("code"),
      state: url.searchParams.get("state"),
      expectedState: readCookie(req, OAUTH_STATE_COOKIE),
      verifier: readCookie(req, OAUTH_VERIFIER_COOKIE),
      ...readSignupContext(req),
    });
    const session = await createSession(db, user.id);
    headers.append("Set-Cookie", sessionCookie(session.token, session.expiresAt));
    headers.set("Location", `${origin}${afterLoginPath(!isNew && user.onboardedAt !== null, next, "/")}`);
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) throw err;
    // A code from LOGIN_ERRORS, never a message: /login shows only the texts it knows.
    const code = err instanceof GoogleLoginError ? err.code : "google_failed";
    headers.set("Location", `${origin}/login?error=${code}`);
  }
  return new Response(null, { status: 302, headers });
});
