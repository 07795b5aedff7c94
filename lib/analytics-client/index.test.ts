import { afterEach, describe, expect, it, vi } from "vitest";
import { createAnalyticsClient, type PostHogLike } from "./client";
import { parsePublicConfig } from "./index";

function recordingClient() {
  const inits: unknown[][] = [];
  const ph: PostHogLike = {
    init: (...args) => inits.push(args),
    register: () => {},
    identify: () => {},
    capture: () => {},
    reset: () => {},
    get_distinct_id: () => "",
    get_session_id: () => "",
    group: () => {},
    resetGroups: () => {},
    set_config: () => {},
  };
  const loadPostHog = vi.fn(async () => ph);
  return { client: createAnalyticsClient({ loadPostHog }), loadPostHog, inits };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe("initFromConfig", () => {
  it("with an empty key never calls the posthog-js loader and disables the client", async () => {
    const { initFromConfig, parsePublicConfig } = await import("./index");
    const { client, loadPostHog } = recordingClient();
    await initFromConfig(client, parsePublicConfig({ posthog_key: "", posthog_host: "", analytics_environment: "" }));
    expect(loadPostHog).not.toHaveBeenCalled();
    expect(client.state).toBe("disabled");
  });

  it("with a key inits against the configured host; the bot filter stays on outside test builds", async () => {
    const { initFromConfig, parsePublicConfig } = await import("./index");
    const { client, inits } = recordingClient();
    await initFromConfig(
      client,
      parsePublicConfig({ posthog_key: "phc_1", posthog_host: "http://127.0.0.1:9", analytics_environment: "staging" }),
    );
    expect(inits).toHaveLength(1);
    expect(inits[0][0]).toBe("phc_1");
    expect(inits[0][1]).toMatchObject({ api_host: "http://127.0.0.1:9" });
    expect(inits[0][1]).not.toHaveProperty("opt_out_useragent_filter");
  });

  it("a test build (NEXT_PUBLIC_ANALYTICS_TEST_MODE=1) lets automated browsers through", async () => {
    vi.stubEnv("NEXT_PUBLIC_ANALYTICS_TEST_MODE", "1");
    const { initFromConfig, parsePublicConfig } = await import("./index");
    const { client, inits } = recordingClient();
    await initFromConfig(client, parsePublicConfig({ posthog_key: "phc_1" }));
    expect(inits[0][1]).toMatchObject({ opt_out_useragent_filter: true });
  });
});

describe("parsePublicConfig", () => {
  it("reads strings only and treats anything else as absent", () => {
    expect(parsePublicConfig({ posthog_key: 1, posthog_host: null, allow_signup: true })).toEqual({
      posthog_key: "",
      posthog_host: "",
      analytics_environment: "",
      analytics_consent: "implied",
      posthog_groups: false,
    });
    expect(parsePublicConfig("nope")).toEqual({
      posthog_key: "",
      posthog_host: "",
      analytics_environment: "",
      analytics_consent: "implied",
      posthog_groups: false,
    });
    expect(parsePublicConfig({ analytics_consent: "required", posthog_groups: true })).toMatchObject({
      analytics_consent: "required",
      posthog_groups: true,
    });
    expect(parsePublicConfig({ posthog_key: "k", app_version: "1.0.0" })).toMatchObject({ app_version: "1.0.0" });
  });
});
