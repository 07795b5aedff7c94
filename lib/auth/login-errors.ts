/**
 * The only texts /login shows from its `?error=` parameter. The query carries a code, never a sentence: a page that
 * printed whatever the URL said let anyone send a link with their own words under our logo (issue 11, item 7).
 */
export const LOGIN_ERRORS = {
  oauth_state: "Google sign-in expired or was started in another tab. Please try again.",
  unverified_email: "That Google account has no verified email address.",
  signup_closed: "Sign-up is closed for this email address.",
  google_failed: "Google sign-in failed. Please try again.",
} as const;

export type LoginErrorCode = keyof typeof LOGIN_ERRORS;

/** The message for a known code; undefined (show nothing) for anything else. */
export function loginErrorMessage(code: string | undefined): string | undefined {
  return code && Object.hasOwn(LOGIN_ERRORS, code) ? LOGIN_ERRORS[code as LoginErrorCode] : undefined;
}
