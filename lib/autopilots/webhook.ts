import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Webhook trigger URLs: `/api/webhooks/autopilot/awt_<trigger id, 32 hex>_<secret, 43 chars>`. The URL is the
 * credential. Only the SHA-256 of the secret is stored; the trigger id lets the route load one row by primary key
 * and compare hashes in constant time (no lookup by secret, so no timing oracle on an index).
 */
const TOKEN = /^awt_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

export const WEBHOOK_PATH_PREFIX = "/api/webhooks/autopilot/";

export const hashWebhookSecret = (secret: string) => createHash("sha256").update(secret).digest("hex");

export function mintWebhookToken(triggerId: string): { token: string; secretHash: string } {
  const secret = randomBytes(32).toString("base64url");
  return { token: `awt_${triggerId.replace(/-/g, "")}_${secret}`, secretHash: hashWebhookSecret(secret) };
}

/** The trigger id and secret of a well-formed token, or null. */
export function parseWebhookToken(token: string): { triggerId: string; secret: string } | null {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const h = m[1]!;
  const triggerId = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  return { triggerId, secret: m[2]! };
}

export function webhookSecretMatches(secret: string, storedHash: string | null): boolean {
  const actual = Buffer.from(hashWebhookSecret(secret), "hex");
  // A missing hash still costs one comparison, so a disabled trigger answers like a wrong secret.
  const expected = Buffer.from(storedHash && /^[0-9a-f]{64}$/.test(storedHash) ? storedHash : "0".repeat(64), "hex");
  return timingSafeEqual(actual, expected) && storedHash !== null;
}
