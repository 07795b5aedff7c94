import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The install `state` of the GitHub connect URL: `<workspace id>.<expiry unix s>.<nonce>.<HMAC-SHA256>` signed with
 * `GITHUB_WEBHOOK_SECRET`. Unlike the reference it expires (10 minutes) and is single-use (the setup callback claims
 * the nonce in the shared store).
 */
export const STATE_TTL_SECONDS = 600;

const mac = (secret: string, payload: string) => createHmac("sha256", secret).update(payload).digest("base64url");

export function signState(secret: string, workspaceId: string, now = Date.now()): string {
  const payload = `${workspaceId}.${Math.floor(now / 1000) + STATE_TTL_SECONDS}.${randomBytes(12).toString("hex")}`;
  return `${payload}.${mac(secret, payload)}`;
}

/** The workspace id and nonce of a genuine, unexpired state; null otherwise. */
export function verifyState(secret: string, state: string, now = Date.now()): { workspaceId: string; nonce: string } | null {
  const parts = state.split(".");
  if (parts.length !== 4) return null;
  const [workspaceId, exp, nonce, sig] = parts as [string, string, string, string];
  const expected = Buffer.from(mac(secret, `${workspaceId}.${exp}.${nonce}`));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (!/^\d+$/.test(exp) || Number(exp) * 1000 < now) return null;
  return { workspaceId, nonce };
}
