import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashWebhookSecret, mintWebhookToken, parseWebhookToken, webhookSecretMatches } from "./webhook";

describe("webhook tokens", () => {
  it("round-trips the trigger id and verifies the secret against its hash", () => {
    const id = randomUUID();
    const { token, secretHash } = mintWebhookToken(id);
    expect(token).toMatch(/^awt_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseWebhookToken(token)!;
    expect(parsed.triggerId).toBe(id);
    expect(secretHash).toBe(hashWebhookSecret(parsed.secret));
    expect(secretHash).not.toContain(parsed.secret);
    expect(webhookSecretMatches(parsed.secret, secretHash)).toBe(true);
  });

  it("refuses a wrong secret, a missing hash and malformed tokens", () => {
    const { token, secretHash } = mintWebhookToken(randomUUID());
    const { secret } = parseWebhookToken(token)!;
    const other = parseWebhookToken(mintWebhookToken(randomUUID()).token)!.secret;
    expect(webhookSecretMatches(other, secretHash)).toBe(false);
    expect(webhookSecretMatches(secret, null)).toBe(false);
    expect(parseWebhookToken("awt_short_x")).toBeNull();
    expect(parseWebhookToken(token + "x")).toBeNull();
  });
});
