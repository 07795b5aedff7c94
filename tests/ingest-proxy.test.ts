import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as config } from "@/app/api/config/route";
import { POST as ingest } from "@/app/ingest/[...path]/route";
import { call } from "./helpers/api";
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
  for (const k of ["POSTHOG_PROXY", "POSTHOG_API_KEY", "POSTHOG_HOST", "ANALYTICS_DISABLED"]) {
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
});
