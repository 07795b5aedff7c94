import { z } from "zod";
import { createSession, normalizeEmail, readSignupContext, refuseForeignOrigin, sessionCookie, userResponse, verifyLoginCode } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, readJson, requiredString, route } from "@/lib/http";

const body = z.object({
  email: requiredString("email"),
  code: requiredString("code").regex(/^\d{6}$/, "code must be 6 digits"),
});

export const POST = route("/api/auth/verify-code", async (req) => {
  refuseForeignOrigin(req);
  const input = await readJson(req, body, 4096);
  const db = await getDb();
  const { user, isNew } = await verifyLoginCode(db, {
    email: normalizeEmail(input.email),
    code: input.code,
    ...readSignupContext(req),
  });
  const session = await createSession(db, user.id);
  return json({ user: userResponse(user), is_new: isNew }, 200, { "Set-Cookie": sessionCookie(session.token, session.expiresAt) });
});
