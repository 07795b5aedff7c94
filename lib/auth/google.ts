import { CodeChallengeMethod, generateCodeVerifier, generateState, OAuth2Client, OAuth2RequestError } from "arctic";
import { deadlineSignal } from "@/lib/ops/deadline";
import { config } from "@/lib/config";
import type { Db } from "@/lib/db";
import { HttpError, notFound } from "@/lib/http/errors";
import { events, recordEvent } from "@/lib/telemetry";
import { safeEqual } from "./crypto";
import type { LoginErrorCode } from "./login-errors";
import { findOrCreateUser, SignupClosedError, type SignupContext, type User } from "./users";

/** A refused Google login; `code` is what the callback puts in `/login?error=` (see login-errors.ts). */
export class GoogleLoginError extends HttpError {
  constructor(
    status: number,
    message: string,
    readonly code: LoginErrorCode,
  ) {
    super(status, message);
  }
}

export const OAUTH_STATE_COOKIE = "tandem_oauth_state";
export const OAUTH_VERIFIER_COOKIE = "tandem_oauth_verifier";

// Endpoints are configurable so tests can run the flow against a local OAuth provider.
function endpoints() {
  const c = config();
  return {
    authorize: c.GOOGLE_AUTH_URL ?? "https://accounts.google.com/o/oauth2/v2/auth",
    token: c.GOOGLE_TOKEN_URL ?? "https://oauth2.googleapis.com/token",
    userinfo: c.GOOGLE_USERINFO_URL ?? "https://openidconnect.googleapis.com/v1/userinfo",
  };
}

function client(origin: string): OAuth2Client {
  const c = config();
  if (!c.googleEnabled) throw notFound("Google sign-in is not configured");
  return new OAuth2Client(c.GOOGLE_CLIENT_ID!, c.GOOGLE_CLIENT_SECRET!, `${c.APP_URL ?? origin}/api/auth/google/callback`);
}

/** Starts the authorization-code flow with PKCE; the caller stores `state` and `verifier` in short-lived cookies. */
export function startGoogleLogin(origin: string): { url: URL; state: string; verifier: string } {
  const oauth = client(origin);
  const state = generateState();
  const verifier = generateCodeVerifier();
  const url = oauth.createAuthorizationURLWithPKCE(endpoints().authorize, state, CodeChallengeMethod.S256, verifier, [
    "openid",
    "email",
    "profile",
  ]);
  return { url, state, verifier };
}

/** Finishes the flow: checks state, exchanges the code, reads the verified email, then the shared find-or-create. */
export async function finishGoogleLogin(
  db: Db,
  origin: string,
  input: { code: string | null; state: string | null; expectedState?: string; verifier?: string } & SignupContext,
): Promise<{ user: User; isNew: boolean }> {
  if (!config().googleEnabled) throw notFound("Google sign-in is not configured");
  let outcome = "failure_other";
  try {
    if (!input.code || !input.state || !input.expectedState || !input.verifier || !safeEqual(input.state, input.expectedState)) {
      outcome = "failure_credentials";
      throw new GoogleLoginError(400, "invalid OAuth state", "oauth_state");
    }
    let tokens;
    try {
      tokens = await client(origin).validateAuthorizationCode(endpoints().token, input.code, input.verifier);
    } catch (err) {
      // The provider refused the code (invalid_grant, PKCE mismatch): a credentials failure, not an outage.
      if (err instanceof OAuth2RequestError) outcome = "failure_credentials";
      throw err;
    }
    const deadline = deadlineSignal(5000);
    let profile: { email?: string; email_verified?: boolean; name?: string };
    try {
      const res = await fetch(endpoints().userinfo, { headers: { Authorization: `Bearer ${tokens.accessToken()}` }, signal: deadline.signal });
      if (!res.ok) throw new HttpError(502, "could not read the Google profile");
      profile = (await res.json()) as typeof profile;
    } finally {
      deadline.clear();
    }
    if (!profile.email || profile.email_verified !== true) {
      outcome = "failure_credentials";
      throw new GoogleLoginError(403, "the Google account has no verified email", "unverified_email");
    }
    let result: { user: User; isNew: boolean };
    try {
      result = await findOrCreateUser(db, profile.email.trim().toLowerCase(), profile.name ?? "", {
        signupSource: input.signupSource,
        analyticsConsent: input.analyticsConsent,
        authMethod: "google",
      });
    } catch (err) {
      if (err instanceof SignupClosedError) {
        outcome = "failure_signup_closed";
        throw new GoogleLoginError(403, err.message, "signup_closed");
      }
      throw err;
    }
    outcome = "success";
    return result;
  } finally {
    await recordEvent(events.login({ outcome }));
  }
}
