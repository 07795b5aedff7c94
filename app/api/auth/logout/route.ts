import { clearedSessionCookie, optionalUser, revokeSession } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { noContent, route } from "@/lib/http";

/** Idempotent: with no (or an already ended) session there is nothing to end, and the answer is the same 204. */
export const POST = route("/api/auth/logout", async (req) => {
  const principal = await optionalUser(req);
  if (principal?.sessionId) await revokeSession(await getDb(), principal.sessionId);
  return noContent({ "Set-Cookie": clearedSessionCookie() });
});
