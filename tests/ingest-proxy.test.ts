import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as config } from "@/app/api/config/route";
import { POST as ingest } from "@/app/ingest/[...path]/route";
import { call } from "./helpers/api";
import { registry } from "@/lib/telemetry/metrics";
import { startCaptureServer, type CaptureServer } from "./helpers/capture-server";

let upstream: CaptureServer;
const saved = { ...process.env };
beforeAll(async () => {
  upstream = await startCaptureServer();
});
afterAll(async () => {
  await upstream.stop();
});
afterEach(() => {
  for (const k of ["POSTHOG_PROXY", "POSTHOG_API_KEY", "POSTHOG_HOST", "ANALYTICS_DISABLED", "POSTHOG_PROXY_PATH", "TANDEM_SERVER"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe("/ingest reverse proxy", () => {
  it("forwards to POSTHOG_HOST at request time and points the client at /ingest", async () => {
    Object.assign(process.env, { POSTHOG_PROXY: "true", POSTHOG_API_KEY: "phc_test", POSTHOG_HOST: upstream.url, ANALYTICS_DISABLED: "false" });
    expect((await call(config)).body.posthog_host).toBe("/ingest");
    const payload = { api_key: "phc_test", batch: [{ event: "$pageview", distinct_id: "d1", properties: {} }] };
    const res = await call(ingest, {
      path: "/ingest/batch/?ver=1",
      body: payload,
      headers: { cookie: "tandem_session=secret", authorization: "Bearer tdm_secret" },
      params: { path: "batch" },
    });
    expect(res.status).toBe(200);
    const forwarded = upstream.requests.find((r) => r.url.startsWith("/batch/"));
    expect(forwarded?.url).toBe("/batch/?ver=1");
    expect(JSON.parse(forwarded!.body.toString())).toEqual(payload);
    expect(forwarded!.headers.cookie).toBeUndefined();
    expect(forwarded!.headers.authorization).toBeUndefined();
  });

  it("is a 404 without POSTHOG_PROXY or without a key, and refuses oversized bodies", async () => {
    Object.assign(process.env, { POSTHOG_API_KEY: "phc_test", POSTHOG_HOST: upstream.url, ANALYTICS_DISABLED: "false" });
    expect((await call(ingest, { path: "/ingest/batch/", body: {} })).status).toBe(404);
    Object.assign(process.env, { POSTHOG_PROXY: "true", POSTHOG_API_KEY: "" });
    expect((await call(ingest, { path: "/ingest/batch/", body: {} })).status).toBe(404);
    Object.assign(process.env, { POSTHOG_API_KEY: "phc_test" });
    expect((await call(ingest, { path: "/ingest/batch/", rawBody: "x".repeat(1024 * 1024 + 1) })).status).toBe(413);
  });

  it("reads POSTHOG_PROXY as the public config does: whenever the browser is pointed at /ingest, it answers", async () => {
    for (const value of ["true", "1", "yes", " YES ", "false", "no", "0", "maybe", ""]) {
      Object.assign(process.env, { POSTHOG_PROXY: value, POSTHOG_API_KEY: "phc_test", POSTHOG_HOST: upstream.url, ANALYTICS_DISABLED: "false" });
      const pointed = (await call(config)).body.posthog_host === "/ingest";
      const res = await call(ingest, { path: "/ingest/batch/", body: { api_key: "phc_test", batch: [] }, params: { path: "batch" } });
      expect(res.status === 404, `POSTHOG_PROXY=${JSON.stringify(value)}`).toBe(!pointed);
    }
  });
});

describe("/ingest proxy fidelity (issue 16)", () => {
  const on = () =>
    Object.assign(process.env, { POSTHOG_PROXY: "true", POSTHOG_API_KEY: "phc_test", POSTHOG_HOST: upstream.url, ANALYTICS_DISABLED: "false" });
  const proxyErrors = async (kind: string) =>
    (await registry().getSingleMetric("tandem_analytics_proxy_errors_total")!.get()).values.find((v) => v.labels.kind === kind)?.value ?? 0;

  it("forwards the address we trust as X-Forwarded-For, never the client's own copy", async () => {
    on();
    process.env.TANDEM_SERVER = "1";
    upstream.requests.length = 0;
    await call(ingest, {
      path: "/ingest/batch/",
      body: { batch: [] },
      headers: { "x-tandem-peer-ip": "203.0.113.7", "x-forwarded-for": "198.51.100.1" },
      params: { path: "batch" },
    });
    expect(upstream.requests.at(-1)!.headers["x-forwarded-for"]).toBe("203.0.113.7");
  });

  it("points the browser at POSTHOG_PROXY_PATH and strips it when forwarding", async () => {
    on();
    process.env.POSTHOG_PROXY_PATH = "/t7q";
    expect((await call(config)).body.posthog_host).toBe("/t7q");
    upstream.requests.length = 0;
    const res = await call(ingest, { path: "/t7q/e/?ip=1", body: { event: "x" }, params: { path: "e" } });
    expect(res.status).toBe(200);
    expect(upstream.requests.at(-1)!.url).toBe("/e/?ip=1");
  });

  it("counts upstream failures by kind", async () => {
    on();
    const failing = await startCaptureServer({ status: 503 });
    try {
      process.env.POSTHOG_HOST = failing.url;
      const before = await proxyErrors("upstream_5xx");
      expect((await call(ingest, { path: "/ingest/e/", body: {}, params: { path: "e" } })).status).toBe(503);
      expect(await proxyErrors("upstream_5xx")).toBe(before + 1);
    } finally {
      await failing.stop();
    }
    process.env.POSTHOG_HOST = "http://127.0.0.1:9"; // discard port: nothing listens
    const unreachable = await proxyErrors("unreachable");
    expect((await call(ingest, { path: "/ingest/e/", body: {}, params: { path: "e" } })).status).toBe(502);
    expect(await proxyErrors("unreachable")).toBe(unreachable + 1);
  });
});
