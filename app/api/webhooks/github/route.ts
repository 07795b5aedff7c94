import { getDb } from "@/lib/db";
import { route } from "@/lib/http";
import { receiveGithubWebhook } from "@/lib/github/webhook";

/** Public: authenticated only by `X-Hub-Signature-256` (HMAC-SHA256 with GITHUB_WEBHOOK_SECRET). */
export const POST = route("/api/webhooks/github", async (req) => receiveGithubWebhook(await getDb(), req));
