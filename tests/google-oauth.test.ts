/**
 * Google sign-in against a small local OAuth provider: the real arctic client, PKCE verified by the provider,
 * state checked by us, the same find-or-create path as the code login.
 */
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as start } from "@/app/api/auth/google/route";
import { GET as callback } from "@/app/api/auth/google/callback/route";
import { GET as me } from "@/app/api/me/route";
import { resetConfigForTests } from "@/lib/config";
import { call } from "./helpers/api";
import { captureEvents, metricValue } from "./helpers/telemetry";

const sink = captureEvents();

type Grant = { challenge: string; profile: { email: string; email_verified: boolean; name: string } };
const grants = new Map<string, Grant>();
const tokens = new Map<string, Grant["profile"]>();
let provider: http.Server;
let base = "";

beforeAll(async () => {
  provider = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const url = new URL(req.url!, base);
      if (url.pathname === "/token") {
        const form = new URLSearchParams(body);
        const grant = grants.get(form.get("code") ?? "");
        const verifier = form.get("code_verifier") ?? "";
        const challenge = createHash("sha256").update(verifier).digest("base64url");
        if (!grant || grant.challenge !== challenge) {
          res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: "invalid_grant" }));
          return;
        }
        const token = randomBytes(8).toString("hex");
        tokens.set(token, grant.profile);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: token, token_type: "Bearer", expires_in: 3600 }));
      } else if (url.pathname === "/userinfo") {
        const profile = tokens.get((req.headers.authorization ?? "").replace("Bearer ", ""));
        res.writeHead(profile ? 200 : 401, { "content-type": "application/json" }).end(JSON.stringify(profile ?? {}));
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => provider.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    GOOGLE_CLIENT_ID: "client-id",
    GOOGLE_CLIENT_SECRET: "client-secret",
    GOOGLE_AUTH_URL: `${base}/authorize`,
    GOOGLE_TOKEN_URL: `${base}/token`,
    GOOGLE_USERINFO_URL: `${base}/userinfo`,
  });
  resetConfigForTests();
});

afterAll(async () => {
  for (const k of ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "GOOGLE_AUTH_URL", "GOOGLE_TOKEN_URL", "GOOGLE_USERINFO_URL"]) delete process.env[k];
  resetConfigForTests();
  await new Promise((r) => provider.close(r));
});

/** Runs the browser's part: start → (provider approves, issuing a code bound to the challenge) → callback. */
async function googleLogin(profile: Grant["profile"], tamper: { state?: string; dropCookies?: boolean } = {}) {
  const started = await call(start, { path: "/api/auth/google" });
  expect(started.status).toBe(302);
  const location = new URL(started.headers.get("location")!);
  expect(location.origin + location.pathname).toBe(`${base}/authorize`);
  expect(location.searchParams.get("code_challenge_method")).toBe("S256");
  const cookies = started.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const code = randomBytes(6).toString("hex");
  grants.set(code, { challenge: location.searchParams.get("code_challenge")!, profile });
  const state = tamper.state ?? location.searchParams.get("state")!;
  return call(callback, {
    path: `/api/auth/google/callback?code=${code}&state=${encodeURIComponent(state)}`,
    headers: tamper.dropCookies ? {} : { cookie: cookies },
  });
}

describe("Google sign-in", () => {
  it("creates the user once (signup with auth_method google), sets a session, and logs in the second time", async () => {
    const email = `g-${randomBytes(4).toString("hex")}@gmail.test`;
    const before = await metricValue("tandem_business_logins_total", { outcome: "success" });
    const first = await googleLogin({ email, email_verified: true, name: "Grace" });
    expect(first.status).toBe(302);
    expect(first.headers.get("location")).toBe("http://localhost/onboarding");
    const session = /tandem_session=([^;]+)/.exec(first.headers.getSetCookie().join("\n"))![1];
    const who = await call(me, { headers: { cookie: `tandem_session=${session}` } });
    expect(who.body).toMatchObject({ email, name: "Grace" });
    expect(sink.named("signup")).toHaveLength(1);
    expect(sink.named("signup")[0]!.properties).toMatchObject({ auth_method: "google", email_domain: "gmail.test" });

    const second = await googleLogin({ email, email_verified: true, name: "Grace" });
    expect(second.status).toBe(302);
    expect(sink.named("signup")).toHaveLength(1);
    expect(await metricValue("tandem_business_logins_total", { outcome: "success" })).toBe(before + 2);
  });

  it("a forged state, missing cookies or an unverified email never create a session", async () => {
    for (const tamper of [{ state: "forged" }, { dropCookies: true }]) {
      const res = await googleLogin({ email: "x@example.com", email_verified: true, name: "" }, tamper);
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("http://localhost/login?error=oauth_state");
      expect(res.headers.getSetCookie().join("\n")).not.toMatch(/tandem_session=[^;]/);
    }
    const unverified = await googleLogin({ email: "u@example.com", email_verified: false, name: "" });
    expect(unverified.headers.get("location")).toBe("http://localhost/login?error=unverified_email");
    expect(sink.named("signup")).toHaveLength(0);
  });

  it("is a 404 when not configured", async () => {
    delete process.env.GOOGLE_CLIENT_ID;
    delete process.env.GOOGLE_CLIENT_SECRET;
    resetConfigForTests();
    try {
      expect((await call(start, { path: "/api/auth/google" })).status).toBe(404);
      expect((await call(callback, { path: "/api/auth/google/callback?code=x&state=y" })).status).toBe(404);
    } finally {
      Object.assign(process.env, { GOOGLE_CLIENT_ID: "client-id", GOOGLE_CLIENT_SECRET: "client-secret" });
      resetConfigForTests();
    }
  });
});
