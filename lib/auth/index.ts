export { requireUser, requireHumanUser, actorSourceOf, optionalUser, requireWorkspace, workspaceRequest, requireWorkspaceMember, requireWorkspaceRole, expectedOrigin, refuseForeignOrigin, isUuid } from "./guard";
export type { Principal, Membership, Role, Workspace } from "./guard";
export { sendLoginCode, verifyLoginCode, readSignupContext, readSignupSourceCookie, MAX_CODE_ATTEMPTS } from "./codes";
export { createSession, revokeSession, sessionCookie, clearedSessionCookie, httpOnlyCookie, SESSION_COOKIE } from "./sessions";
export { createAccessToken, listAccessTokens, revokeAccessToken, PERSONAL_TOKEN_PREFIX } from "./tokens";
export { normalizeEmail, userResponse, findOrCreateUser, getUser, setAnalyticsConsent, type User, type AnalyticsConsentChoice } from "./users";
export { startGoogleLogin, finishGoogleLogin, GoogleLoginError, OAUTH_STATE_COOKIE, OAUTH_VERIFIER_COOKIE } from "./google";
export { LOGIN_ERRORS, loginErrorMessage, type LoginErrorCode } from "./login-errors";
export { sendMail } from "./mail";
