import { describe, expect, it } from "vitest";
import { GET as me, DELETE as deleteMe } from "@/app/api/me/route";
import { POST as verifyCode } from "@/app/api/auth/verify-code/route";
import { POST as logout } from "@/app/api/auth/logout/route";
import { POST as sendCode } from "@/app/api/auth/send-code/route";
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

  it("logout revokes the session server-side, and is idempotent", async () => {
    const s = await signIn();
    expect((await call(logout, { method: "POST", session: s })).status).toBe(204);
    expect((await call(me, { session: s })).status).toBe(401);
    // Again with the ended session, and with none: nothing to end, the same 204 and a cleared cookie.
    const again = await call(logout, { method: "POST", session: s });
    expect(again.status).toBe(204);
    expect(again.headers.get("set-cookie")).toMatch(/tandem_session=;.*Max-Age=0/);
    expect((await call(logout, { method: "POST" })).status).toBe(204);
    // A live session is still guarded against cross-site logout.
    const t = await signIn();
    expect((await call(logout, { method: "POST", session: t, headers: { origin: "https://evil.example" } })).status).toBe(403);
    expect((await call(me, { session: t })).status).toBe(200);
  });

  it("sign-in refuses a foreign Origin (login CSRF), and passes callers that send none", async () => {
    const email = uniqueEmail();
    const evil = { origin: "https://evil.example" };
    expect((await call(sendCode, { body: { email }, headers: evil })).status).toBe(403);
    expect((await requestCode(email)).status).toBe(200);
    const code = lastCodeFor(email);
    const refused = await call(verifyCode, { body: { email, code }, headers: evil });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("set-cookie")).toBeNull();
    const ok = await call(verifyCode, { body: { email, code }, noOrigin: true });
    expect(ok.status).toBe(200); // the refused attempt did not use the code up
    expect(ok.headers.get("set-cookie")).toMatch(/tandem_session=/);
  });

  it("DELETE /api/me needs the matching email and erases the user", async () => {
    const s = await signIn();
    expect((await call(deleteMe, { method: "DELETE", session: s, body: { confirm_email: "x@y.z" } })).status).toBe(400);
    expect((await call(deleteMe, { method: "DELETE", session: s, body: { confirm_email: s.user.email } })).status).toBe(204);
    expect((await call(me, { session: s })).status).toBe(401);
  });
});
