import { z } from "zod";
import { createSession, normalizeEmail, readSignupSourceCookie, refuseForeignOrigin, sessionCookie, userResponse, verifyLoginCode } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { json, readCookie, readJson, route } from "@/lib/http";

const body = z.object({
  email: z.string({ error: "email is required" }),
  code: z.string({ error: "code is required" }).regex(/^\d{6}$/, "code must be 6 digits"),
});

export const POST = route("/api/auth/verify-code", async (req) => {
  refuseForeignOrigin(req);
  const input = await readJson(req, body, 4096);
  const db = await getDb();
  const { user, isNew } = await verifyLoginCode(db, {
    email: normalizeEmail(input.email),
    code: input.code,
    signupSource: readSignupSourceCookie(readCookie(req, "tandem_signup_source")),
  });
  const session = await createSession(db, user.id);
  return json({ user: userResponse(user), is_new: isNew }, 200, { "Set-Cookie": sessionCookie(session.token, session.expiresAt) });
});
