import { clearedSessionCookie, requireUser, revokeSession } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { noContent, route } from "@/lib/http";

export const POST = route("/api/auth/logout", async (req) => {
  const principal = await requireUser(req);
  if (principal.sessionId) await revokeSession(await getDb(), principal.sessionId);
  return noContent({ "Set-Cookie": clearedSessionCookie() });
});
