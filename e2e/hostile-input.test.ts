/**
 * Issue 11 on a production build: /login shows only the messages of known error codes (no content spoofing through
 * `?error=`), and a workspace page whose slug holds a NUL is a 404, not a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOGIN_ERRORS } from "@/lib/auth/login-errors";
import { startApp, type App } from "./support/app";

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

describe("hostile input on pages", () => {
  it("/login?error= shows a known code's message and nothing of any other text", async () => {
    const spoof = "Your account is locked. Call +1 555 0100 to unlock it.";
    const spoofed = await (await fetch(`${app.baseUrl}/login?error=${encodeURIComponent(spoof)}`)).text();
    expect(spoofed).toContain("Log in to Tandem");
    expect(spoofed).not.toContain("555 0100");
    expect(spoofed).not.toContain('role="alert"');
    const known = await (await fetch(`${app.baseUrl}/login?error=oauth_state`)).text();
    expect(known).toContain('role="alert"');
    expect(known).toContain(LOGIN_ERRORS.oauth_state);
  });

  it("a workspace path with a NUL or an impossible slug is a 404 for a signed-in member, not a 500", async () => {
    const post = (p: string, body: unknown) =>
      fetch(`${app.baseUrl}${p}`, { method: "POST", headers: { "content-type": "application/json", origin: app.baseUrl }, body: JSON.stringify(body) });
    const email = `slug-${Date.now()}@example.com`;
    expect((await post("/api/auth/send-code", { email })).status).toBe(200);
    const verified = await post("/api/auth/verify-code", { email, code: await app.codeFor(email) });
    const cookie = verified.headers.get("set-cookie")!.split(";")[0]!;
    for (const slug of ["%00", "a%00b", "x".repeat(300)]) {
      const res = await fetch(`${app.baseUrl}/w/${slug}`, { redirect: "manual", headers: { cookie } });
      expect(res.status, slug).toBe(404);
    }
  });
});
