import { verify } from "@octokit/webhooks-methods";

/**
 * GitHub's `X-Hub-Signature-256: sha256=<hex>` over the raw body (HMAC-SHA256, constant-time compare in
 * `@octokit/webhooks-methods`). Used by the GitHub App webhook and by autopilot triggers with a signing secret.
 */
export type SignatureStatus = "valid" | "invalid" | "missing";

export async function checkHubSignature(secret: string, body: string, header: string | null): Promise<SignatureStatus> {
  if (header === null || header.trim() === "") return "missing";
  if (!/^sha256=[0-9a-f]{64}$/.test(header.trim())) return "invalid";
  if (body === "") return "invalid"; // the library refuses an empty payload; nothing was signed
  return (await verify(secret, body, header.trim())) ? "valid" : "invalid";
}
