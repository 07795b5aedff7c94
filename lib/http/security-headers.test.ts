import { describe, expect, it } from "vitest";
import { analyticsOrigins, contentSecurityPolicy, newNonce, securityHeaders } from "./security-headers.mjs";

describe("security headers", () => {
  it("responses without a nonce get a policy that allows nothing", () => {
    const csp = contentSecurityPolicy({});
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it("pages get a nonce and strict-dynamic, never unsafe-inline scripts or eval in production", () => {
    const csp = contentSecurityPolicy({ nonce: "abc" });
    expect(csp).toMatch(/script-src 'self' 'nonce-abc' 'strict-dynamic';/);
    expect(csp).not.toContain("unsafe-eval");
    expect(contentSecurityPolicy({ nonce: "abc", dev: true })).toContain("'unsafe-eval'");
  });

  it("allows the analytics host only when one is configured, and not for the same-origin proxy", () => {
    expect(contentSecurityPolicy({ nonce: "n", analyticsHost: "" })).toMatch(/connect-src 'self';/);
    expect(contentSecurityPolicy({ nonce: "n", analyticsHost: "/ingest" })).toMatch(/connect-src 'self';/);
    expect(contentSecurityPolicy({ nonce: "n", analyticsHost: "http://127.0.0.1:9999/" })).toMatch(/connect-src 'self' http:\/\/127\.0\.0\.1:9999;/);
    expect(analyticsOrigins("https://us.i.posthog.com")).toEqual(["https://us.i.posthog.com", "https://us-assets.i.posthog.com"]);
    expect(analyticsOrigins("https://ph.example.com/path")).toEqual(["https://ph.example.com"]);
    expect(analyticsOrigins("not a url")).toEqual([]);
  });

  it("HSTS and upgrade-insecure-requests only behind an https APP_URL", () => {
    expect(securityHeaders({ appUrl: "http://localhost:3000" })["Strict-Transport-Security"]).toBeUndefined();
    expect(securityHeaders({})["Strict-Transport-Security"]).toBeUndefined();
    expect(securityHeaders({ appUrl: "https://tandem.example" })["Strict-Transport-Security"]).toMatch(/^max-age=\d+/);
    expect(contentSecurityPolicy({ nonce: "n", appUrl: "https://tandem.example" })).toContain("upgrade-insecure-requests");
    expect(contentSecurityPolicy({ nonce: "n", appUrl: "http://tandem.example" })).not.toContain("upgrade-insecure-requests");
  });

  it("the fixed headers", () => {
    expect(securityHeaders({})).toMatchObject({
      "X-Frame-Options": "DENY",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "strict-origin-when-cross-origin",
    });
  });

  it("nonces are fresh base64 of 16 bytes", () => {
    const a = newNonce();
    expect(Buffer.from(a, "base64")).toHaveLength(16);
    expect(newNonce()).not.toBe(a);
  });
});
