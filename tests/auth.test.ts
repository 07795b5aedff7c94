import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { POST as sendCode } from "@/app/api/auth/send-code/route";
import { POST as verifyCode } from "@/app/api/auth/verify-code/route";
import { GET as me } from "@/app/api/me/route";
import { GET as listTokens, POST as createToken } from "@/app/api/tokens/route";
import { DELETE as revokeToken } from "@/app/api/tokens/[id]/route";
import { POST as createWorkspace } from "@/app/api/workspaces/route";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { users, verificationCodes } from "@/lib/db/schema";
import { findOrCreateUser } from "@/lib/auth";
import { purgeSpentCodes } from "@/lib/auth/codes";
import { getStore, personalKey } from "@/lib/store";
import { call, lastCodeFor, requestCode, signIn, uniqueEmail } from "./helpers/api";
import { captureEvents, metricValue } from "./helpers/telemetry";

const sink = captureEvents();

function withEnv(vars: Record<string, string>) {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  resetConfigForTests();
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetConfigForTests();
  };
}
let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

const countUsers = async (email: string) => (await (await getDb()).select().from(users).where(eq(users.email, email))).length;

describe("POST /api/auth/send-code — bad input", () => {
  it.each([
    ["malformed JSON", { rawBody: "{nope", headers: { "content-type": "application/json" } }, 400, /invalid JSON/],
    ["missing email", { body: {} }, 400, /email is required/],
    ["wrong type", { body: { email: 42 } }, 400, /^email: email must be a string$/],
    ["an array", { body: { email: ["a@b.co"] } }, 400, /^email: email must be a string$/],
    ["invalid email", { body: { email: "not-an-email" } }, 400, /email is invalid/],
    ["oversized body", { body: { email: "a@b.co", pad: "x".repeat(10_000) } }, 413, /larger than/],
  ])("%s", async (_n, opts, status, message) => {
    const res = await call(sendCode, opts as never);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(message);
  });

  it("rate-limits per email (5 per hour) and stores no code past the limit", async () => {
    const email = uniqueEmail();
    for (let i = 0; i < 5; i++) expect((await requestCode(email)).status).toBe(200);
    const limited = await requestCode(email);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    const rows = await (await getDb()).select().from(verificationCodes).where(eq(verificationCodes.email, email));
    expect(rows).toHaveLength(5);
  });

  it("keys the per-email limit by a digest: the shared store never holds the address", async () => {
    const email = uniqueEmail();
    expect((await requestCode(email)).status).toBe(200);
    const store = await getStore();
    expect(await store.get(`rl:send-code:email:${email}`)).toBeNull();
    expect(await store.get(`rl:send-code:email:${personalKey(email)}`)).toBe("1");
  });

  it("rate-limits per client IP from the socket address; a forged peer header is not trusted without our server", async () => {
    restore = withEnv({ RATE_LIMIT_SEND_CODE_IP: "3", TANDEM_SERVER: "1" });
    const ip = `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < 3; i++) expect((await requestCode(uniqueEmail(), { "x-tandem-peer-ip": ip })).status).toBe(200);
    expect((await requestCode(uniqueEmail(), { "x-tandem-peer-ip": ip })).status).toBe(429);
    // X-Forwarded-For is ignored unless TRUST_PROXY=true: rotating it does not escape the limit.
    expect((await requestCode(uniqueEmail(), { "x-tandem-peer-ip": ip, "x-forwarded-for": "1.2.3.4" })).status).toBe(429);
  });

  it("reads X-Forwarded-For only behind a trusted proxy", async () => {
    restore = withEnv({ RATE_LIMIT_SEND_CODE_IP: "1", TRUST_PROXY: "true" });
    const a = `192.0.2.${Math.floor(Math.random() * 250)}`;
    expect((await requestCode(uniqueEmail(), { "x-forwarded-for": `${a}, 10.0.0.1` })).status).toBe(200);
    expect((await requestCode(uniqueEmail(), { "x-forwarded-for": `${a}, 10.0.0.2` })).status).toBe(429);
    expect((await requestCode(uniqueEmail(), { "x-forwarded-for": "198.51.100.7" })).status).toBe(200);
  });
});

describe("POST /api/auth/verify-code", () => {
  it("codes that can no longer sign anyone in are swept: used, replaced, expired; a live one stays", async () => {
    const db = await getDb();
    const codesOf = (email: string) => db.select().from(verificationCodes).where(eq(verificationCodes.email, email));
    const used = uniqueEmail();
    await requestCode(used);
    await requestCode(used); // replaces the first
    await signIn(used); // a third, used
    const expired = uniqueEmail();
    await requestCode(expired);
    await db.update(verificationCodes).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(verificationCodes.email, expired));
    const live = uniqueEmail();
    await requestCode(live);
    expect(await codesOf(used)).toHaveLength(3);

    expect(await purgeSpentCodes(db)).toBeGreaterThanOrEqual(4);
    expect(await codesOf(used)).toHaveLength(0);
    expect(await codesOf(expired)).toHaveLength(0);
    expect(await codesOf(live)).toHaveLength(1);
    expect((await call(verifyCode, { body: { email: live, code: lastCodeFor(live) } })).status).toBe(200);
  });

  it("records signup once with the raw cookie source and login outcomes", async () => {
    const email = uniqueEmail("hn");
    await requestCode(email);
    const cookie = `tandem_signup_source=${encodeURIComponent(JSON.stringify({ referrer_origin: "https://news.ycombinator.com" }))}`;
    const before = await metricValue("tandem_signup_total", { signup_source: "hacker_news" });
    const ok = await call(verifyCode, { body: { email, code: lastCodeFor(email) }, headers: { cookie } });
    expect(ok.status).toBe(200);
    expect(ok.body.is_new).toBe(true);
    expect(ok.headers.get("set-cookie")).toMatch(/tandem_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    const [signup] = sink.named("signup");
    expect(signup!.distinct_id).toBe(ok.body.user.id);
    expect(signup!.properties.signup_source).toBe('{"referrer_origin":"https://news.ycombinator.com"}');
    expect(signup!.properties.email_domain).toBe("example.com");
    const { $set_once, ...props } = signup!.properties as Record<string, unknown>;
    expect(JSON.stringify(props)).not.toContain(email); // the email goes only to the person record
    expect($set_once).toMatchObject({ email });
    expect(await metricValue("tandem_signup_total", { signup_source: "hacker_news" })).toBe(before + 1);
    expect(sink.named("login")).toHaveLength(0); // metrics-only

    await signIn(email);
    expect(sink.named("signup")).toHaveLength(1);
  });

  it("drops a signup-source cookie that does not decode or is over 512 bytes", async () => {
    for (const cookie of ["tandem_signup_source=%E0%A4%A", `tandem_signup_source=${encodeURIComponent("x".repeat(600))}`]) {
      const email = uniqueEmail();
      await requestCode(email);
      await call(verifyCode, { body: { email, code: lastCodeFor(email) }, headers: { cookie } });
      expect(sink.named("signup").at(-1)!.properties.signup_source).toBe("");
    }
  });

  it.each([
    ["code with letters", { code: "12ab56" }, 400],
    ["code as a number", { code: 123456 }, 400],
    ["missing code", { code: undefined }, 400],
  ])("%s", async (_n, patch, status) => {
    const email = uniqueEmail();
    await requestCode(email);
    const res = await call(verifyCode, { body: { email, ...patch } });
    expect(res.status).toBe(status);
    expect(await countUsers(email)).toBe(0);
  });

  it("refuses an expired code with 401 and counts failure_credentials", async () => {
    const email = uniqueEmail();
    await requestCode(email);
    await (await getDb()).update(verificationCodes).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(verificationCodes.email, email));
    const before = await metricValue("tandem_business_logins_total", { outcome: "failure_credentials" });
    const res = await call(verifyCode, { body: { email, code: lastCodeFor(email) } });
    expect(res.status).toBe(401);
    expect(await metricValue("tandem_business_logins_total", { outcome: "failure_credentials" })).toBe(before + 1);
    expect(await countUsers(email)).toBe(0);
  });

  it("a code works once", async () => {
    const email = uniqueEmail();
    await requestCode(email);
    const code = lastCodeFor(email);
    expect((await call(verifyCode, { body: { email, code } })).status).toBe(200);
    expect((await call(verifyCode, { body: { email, code } })).status).toBe(401);
  });

  it("brute force: 20 parallel wrong guesses never get more than 5 tries, then the code is dead", async () => {
    const email = uniqueEmail();
    await requestCode(email);
    const good = lastCodeFor(email);
    const guesses = Array.from({ length: 20 }, (_, i) => String((Number(good) + i + 1) % 1_000_000).padStart(6, "0"));
    const before = await metricValue("tandem_business_logins_total", { outcome: "failure_locked" });
    const results = await Promise.all(guesses.map((code) => call(verifyCode, { body: { email, code } })));
    expect(results.filter((r) => r.status === 401)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(15);
    expect((await call(verifyCode, { body: { email, code: good } })).status).toBe(429);
    expect(await metricValue("tandem_business_logins_total", { outcome: "failure_locked" })).toBe(before + 16);
  });

  it("signup gating: closed signup is a 403 for new emails, existing users still log in", async () => {
    const existing = await signIn();
    restore = withEnv({ ALLOW_SIGNUP: "false" });
    const email = uniqueEmail();
    await requestCode(email);
    const res = await call(verifyCode, { body: { email, code: lastCodeFor(email) } });
    expect(res.status).toBe(403);
    expect(await countUsers(email)).toBe(0);
    expect((await signIn(existing.user.email)).isNew).toBe(false);
  });

  it("signup gating: allow-listed domains and emails", async () => {
    restore = withEnv({ ALLOWED_EMAIL_DOMAINS: "acme.test", ALLOWED_EMAILS: "friend@other.test" });
    expect((await signIn(uniqueEmail("a", "acme.test"))).isNew).toBe(true);
    expect((await signIn("friend@other.test")).isNew).toBe(true);
    const outsider = uniqueEmail("o", "other.test");
    await requestCode(outsider);
    expect((await call(verifyCode, { body: { email: outsider, code: lastCodeFor(outsider) } })).status).toBe(403);
  });

  it("find-or-create is atomic: 10 concurrent first logins create one user and one isNew", async () => {
    const db = await getDb();
    const email = uniqueEmail("race");
    const results = await Promise.all(Array.from({ length: 10 }, () => findOrCreateUser(db, email)));
    expect(results.filter((r) => r.isNew)).toHaveLength(1);
    expect(new Set(results.map((r) => r.user.id)).size).toBe(1);
  });
});

describe("sessions, tokens and CSRF", () => {
  it("forged or garbage session cookies are 401", async () => {
    for (const cookie of ["tandem_session=forged", "tandem_session=", "tandem_session=" + "a".repeat(5000)]) {
      expect((await call(me, { headers: { cookie } })).status).toBe(401);
    }
  });

  it("cookie-authenticated state changes need a same-origin Origin", async () => {
    const s = await signIn();
    const noOrigin = await call(createWorkspace, { body: { name: "X" }, session: s, noOrigin: true });
    expect(noOrigin.status).toBe(403);
    expect(noOrigin.body.error).toMatch(/Origin/);
    const evil = await call(createWorkspace, { body: { name: "X" }, session: s, headers: { origin: "https://evil.example" } });
    expect(evil.status).toBe(403);
    // GET needs no Origin
    expect((await call(me, { session: s, noOrigin: true })).status).toBe(200);
  });

  it("personal access tokens: shown once, hashed, usable as Bearer without Origin, revocable", async () => {
    const s = await signIn();
    const created = await call(createToken, { body: { name: "ci" }, session: s });
    expect(created.status).toBe(201);
    const token: string = created.body.token;
    expect(token).toMatch(/^tdm_/);
    const listed = await call(listTokens, { session: s });
    expect(JSON.stringify(listed.body)).not.toContain(token);
    const viaToken = { user: s.user, token };
    expect((await call(me, { session: viaToken })).body.email).toBe(s.user.email);
    expect((await call(createWorkspace, { body: { name: "By token" }, session: viaToken, noOrigin: true })).status).toBe(201);
    expect((await call(revokeToken, { method: "DELETE", session: s, params: { id: created.body.id } })).status).toBe(204);
    expect((await call(me, { session: viaToken })).status).toBe(401);
  });

  it("token validation and other users' tokens", async () => {
    const a = await signIn();
    const b = await signIn();
    expect((await call(createToken, { body: { name: "" }, session: a })).status).toBe(400);
    expect((await call(createToken, { body: { name: "x", expires_in_days: "7" }, session: a })).status).toBe(400);
    const t = await call(createToken, { body: { name: "x" }, session: a });
    expect((await call(revokeToken, { method: "DELETE", session: b, params: { id: t.body.id } })).status).toBe(404);
    expect((await call(revokeToken, { method: "DELETE", session: a, params: { id: "not-a-uuid" } })).status).toBe(404);
    for (const forged of ["tdm_forged", "tdm_" + t.body.token.slice(4, -2) + "xx", "Basic abc"]) {
      expect((await call(me, { headers: { authorization: forged.startsWith("Basic") ? forged : `Bearer ${forged}` } })).status).toBe(401);
    }
  });

  it("last_used_at is written when a token is first used, then only once it is older than a few minutes", async () => {
    const { accessTokens } = await import("@/lib/db/schema");
    const { LAST_USED_RESOLUTION_MS } = await import("@/lib/auth/tokens");
    const s = await signIn();
    const t = await call(createToken, { body: { name: "busy" }, session: s });
    const viaToken = { user: s.user, token: t.body.token as string };
    const stored = async () => (await (await getDb()).select().from(accessTokens).where(eq(accessTokens.id, t.body.id)))[0]!.lastUsedAt;
    expect(await stored()).toBeNull();
    expect((await call(me, { session: viaToken })).status).toBe(200);
    const first = await stored();
    expect(first).toBeInstanceOf(Date);
    // Many requests within the resolution (some concurrent): no further writes.
    await Promise.all(Array.from({ length: 5 }, () => call(me, { session: viaToken })));
    await call(me, { session: viaToken });
    expect((await stored())!.getTime()).toBe(first!.getTime());
    // Older than the resolution: the next request refreshes it.
    const old = new Date(Date.now() - LAST_USED_RESOLUTION_MS - 1000);
    await (await getDb()).update(accessTokens).set({ lastUsedAt: old }).where(eq(accessTokens.id, t.body.id));
    await call(me, { session: viaToken });
    expect((await stored())!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    // Just inside the resolution: left alone.
    const recent = new Date(Date.now() - LAST_USED_RESOLUTION_MS + 30_000);
    await (await getDb()).update(accessTokens).set({ lastUsedAt: recent }).where(eq(accessTokens.id, t.body.id));
    await call(me, { session: viaToken });
    expect((await stored())!.getTime()).toBe(recent.getTime());
  });

  it("expired tokens are refused", async () => {
    const s = await signIn();
    const t = await call(createToken, { body: { name: "short", expires_in_days: 1 }, session: s });
    const { accessTokens } = await import("@/lib/db/schema");
    await (await getDb()).update(accessTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(accessTokens.id, t.body.id));
    expect((await call(me, { session: { user: s.user, token: t.body.token } })).status).toBe(401);
  });
});
