import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The install `state` of the GitHub connect URL: `<workspace id>.<issuer user id>.<expiry unix s>.<nonce>.<HMAC-SHA256>`
 * signed with `GITHUB_WEBHOOK_SECRET`. Unlike the reference it expires (10 minutes), is single-use (the setup
 * callback claims the nonce in the shared store) and names who asked for it (the callback checks they may still).
 */
export const STATE_TTL_SECONDS = 600;

const mac = (secret: string, payload: string) => createHmac("sha256", secret).update(payload).digest("base64url");

export function signState(secret: string, workspaceId: string, issuerId: string, now = Date.now()): string {
  const payload = `${workspaceId}.${issuerId}.${Math.floor(now / 1000) + STATE_TTL_SECONDS}.${randomBytes(12).toString("hex")}`;
  return `${payload}.${mac(secret, payload)}`;
}

/** The workspace, issuer and nonce of a genuine, unexpired state; null otherwise. */
export function verifyState(secret: string, state: string, now = Date.now()): { workspaceId: string; issuerId: string; nonce: string } | null {
  const parts = state.split(".");
  if (parts.length !== 5) return null;
  const [workspaceId, issuerId, exp, nonce, sig] = parts as [string, string, string, string, string];
  const expected = Buffer.from(mac(secret, `${workspaceId}.${issuerId}.${exp}.${nonce}`));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (!/^\d+$/.test(exp) || Number(exp) * 1000 < now) return null;
  return { workspaceId, issuerId, nonce };
}
