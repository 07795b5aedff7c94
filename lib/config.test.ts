import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, normalizeEnvironment } from "./config";

describe("loadConfig", () => {
  it("has working defaults for the embedded setup", () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.DATA_DIR).toBe("./.data");
    expect(c.ALLOW_SIGNUP).toBe(true);
    expect(c.RATE_LIMIT_SEND_CODE_EMAIL).toBe(5);
    expect(c.analyticsEnvironment).toBe("dev");
  });

  it("refuses timer settings Node cannot wait for and a non-boolean POSTHOG_PROXY", () => {
    const message = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(message({ DB_STATEMENT_TIMEOUT_MS: "99999999999" })).toMatch(/DB_STATEMENT_TIMEOUT_MS: expected at most 2147483647 ms/);
    expect(message({ CLOUD_FLEET_TIMEOUT_MS: "3000000000" })).toMatch(/CLOUD_FLEET_TIMEOUT_MS/);
    expect(loadConfig({ DB_STATEMENT_TIMEOUT_MS: "2147483647" }).DB_STATEMENT_TIMEOUT_MS).toBe(2147483647);
    // A minimum above the maximum is allowed: the maximum caps every wait (a test may raise only the minimum).
    expect(loadConfig({ ANALYTICS_RELAY_BACKOFF_MIN_MS: "600000" }).ANALYTICS_RELAY_BACKOFF_MIN_MS).toBe(600000);
    expect(message({ POSTHOG_PROXY: "maybe" })).toMatch(/POSTHOG_PROXY: expected true\/false/);
  });

  it("never echoes a refused URL, which may carry a password", () => {
    const err = (() => {
      try {
        loadConfig({ DATABASE_URL: "mysql://admin:hunter2@db:3306/x" });
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(err).toMatch(/DATABASE_URL: expected a postgres: or postgresql: URL, got a "mysql:" value/);
    expect(err).not.toContain("hunter2");
  });

  it("APP_VERSION defaults to the package's version however the server was started (README)", async () => {
    const { version } = (await import("@/package.json")).default;
    expect(loadConfig({}).APP_VERSION).toBe(version);
    expect(loadConfig({ APP_VERSION: "2.0.0-rc1" }).APP_VERSION).toBe("2.0.0-rc1");
  });

  it("cookies are Secure in production unless an http APP_URL or SECURE_COOKIES=false says otherwise (API.md)", () => {
    expect(loadConfig({}).secureCookies).toBe(false);
    expect(loadConfig({ NODE_ENV: "production" }).secureCookies).toBe(true);
    expect(loadConfig({ NODE_ENV: "production", APP_URL: "http://10.0.0.5:3000" }).secureCookies).toBe(false);
    expect(loadConfig({ NODE_ENV: "production", SECURE_COOKIES: "false" }).secureCookies).toBe(false);
    expect(loadConfig({ APP_URL: "https://tandem.example" }).secureCookies).toBe(true);
    expect(loadConfig({ SECURE_COOKIES: "true" }).secureCookies).toBe(true);
  });

  it("names every bad value", () => {
    const err = (() => {
      try {
        loadConfig({ DATABASE_URL: "mysql://x", ALLOW_SIGNUP: "maybe", RATE_LIMIT_FEEDBACK: "-3" });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toContain("DATABASE_URL");
    expect(err!.message).toContain("ALLOW_SIGNUP");
    expect(err!.message).toContain("RATE_LIMIT_FEEDBACK");
  });

  it("reads the analytics outbox cap: rows and a duration", () => {
    expect(loadConfig({})).toMatchObject({ ANALYTICS_OUTBOX_MAX_ROWS: 1_000_000, ANALYTICS_OUTBOX_MAX_AGE: 7 * 86_400_000 });
    expect(loadConfig({ ANALYTICS_OUTBOX_MAX_AGE: "36h" }).ANALYTICS_OUTBOX_MAX_AGE).toBe(36 * 3_600_000);
    expect(loadConfig({ ANALYTICS_OUTBOX_MAX_AGE: "90s" }).ANALYTICS_OUTBOX_MAX_AGE).toBe(90_000);
    expect(loadConfig({ ANALYTICS_OUTBOX_MAX_AGE: "2500" }).ANALYTICS_OUTBOX_MAX_AGE).toBe(2500);
    expect(() => loadConfig({ ANALYTICS_OUTBOX_MAX_AGE: "a week" })).toThrow(/ANALYTICS_OUTBOX_MAX_AGE: expected a duration/);
    expect(() => loadConfig({ ANALYTICS_OUTBOX_MAX_ROWS: "0" })).toThrow(/ANALYTICS_OUTBOX_MAX_ROWS/);
  });

  it("reads the tracing variables (issue 14): an OTLP/HTTP endpoint URL and protocol, the service name", () => {
    expect(loadConfig({}).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(loadConfig({}).OTEL_SERVICE_NAME).toBe("tandem");
    const c = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" });
    expect([c.OTEL_EXPORTER_OTLP_ENDPOINT, c.OTEL_EXPORTER_OTLP_PROTOCOL]).toEqual(["http://collector:4318", "http/json"]);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT: expected a http: or https: URL/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL: expected http\/protobuf or http\/json/);
  });

  it("requires both Google credentials", () => {
    expect(() => loadConfig({ GOOGLE_CLIENT_ID: "x" })).toThrow(/GOOGLE_CLIENT_SECRET/);
    expect(loadConfig({ GOOGLE_CLIENT_ID: "x", GOOGLE_CLIENT_SECRET: "y" }).googleEnabled).toBe(true);
  });

  it("parses lists lower-cased", () => {
    expect(loadConfig({ ALLOWED_EMAIL_DOMAINS: " Acme.com, ,example.org" }).ALLOWED_EMAIL_DOMAINS).toEqual(["acme.com", "example.org"]);
  });
});

describe("normalizeEnvironment", () => {
  it.each([
    ["prod", "production"],
    ["Production", "production"],
    ["stage", "staging"],
    ["test", "dev"],
    ["", "dev"],
    ["something-else", "dev"],
  ])("%s → %s", (raw, want) => expect(normalizeEnvironment(raw)).toBe(want));
});

describe("REVENUE_CURRENCIES", () => {
  it("defaults to usd, eur, gbp and accepts a configured list", () => {
    expect(loadConfig({}).REVENUE_CURRENCIES).toEqual(["usd", "eur", "gbp"]);
    expect(loadConfig({ REVENUE_CURRENCIES: "USD, jpy" }).REVENUE_CURRENCIES).toEqual(["usd", "jpy"]);
  });
  it("rejects something that is not a currency code", () => {
    expect(() => loadConfig({ REVENUE_CURRENCIES: "usd,dollars" })).toThrow(/REVENUE_CURRENCIES/);
  });
});
