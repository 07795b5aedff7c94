import { describe, expect, it } from "vitest";
import { GET as me, DELETE as deleteMe } from "@/app/api/me/route";
import { POST as verifyCode } from "@/app/api/auth/verify-code/route";
import { POST as logout } from "@/app/api/auth/logout/route";
import { call, lastCodeFor, requestCode, signIn, uniqueEmail } from "./helpers/api";

describe("code login", () => {
  it("signs up a new user and resumes the session", async () => {
    const s = await signIn();
    expect(s.isNew).toBe(true);
    const res = await call(me, { path: "/api/me", session: s });
    expect(res.status).toBe(200);
    expect(res.body.email).toBe(s.user.email);
    const again = await signIn(s.user.email);
    expect(again.isNew).toBe(false);
  });

  it("rejects a wrong code with 401 and locks after 5 attempts", async () => {
    const email = uniqueEmail();
    await requestCode(email);
    const good = lastCodeFor(email);
    const bad = good === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) {
      const r = await call(verifyCode, { body: { email, code: bad } });
      expect(r.status).toBe(401);
    }
    const locked = await call(verifyCode, { body: { email, code: good } });
    expect(locked.status).toBe(429);
  });

  it("logout revokes the session server-side", async () => {
    const s = await signIn();
    expect((await call(logout, { method: "POST", session: s })).status).toBe(204);
    expect((await call(me, { session: s })).status).toBe(401);
  });

  it("DELETE /api/me needs the matching email and erases the user", async () => {
    const s = await signIn();
    expect((await call(deleteMe, { method: "DELETE", session: s, body: { confirm_email: "x@y.z" } })).status).toBe(400);
    expect((await call(deleteMe, { method: "DELETE", session: s, body: { confirm_email: s.user.email } })).status).toBe(204);
    expect((await call(me, { session: s })).status).toBe(401);
  });
});
