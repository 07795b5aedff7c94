import { describe, expect, it, vi } from "vitest";
import { createAnalyticsClient, MAX_PENDING_OPS, type PostHogLike } from "./client";
import { captureFeedbackOpened, captureOnboardingRuntimePathSelected } from "./events";

type Call = [method: string, ...args: unknown[]];

/** A stand-in for posthog-js that records every call in order. */
function fakePostHog() {
  const calls: Call[] = [];
  const ph: PostHogLike = {
    init: (token, config) => calls.push(["init", token, config]),
    register: (props) => void calls.push(["register", props]),
    identify: (id, set) => void calls.push(["identify", id, set]),
    capture: (event, props) => calls.push(["capture", event, props]),
    reset: () => void calls.push(["reset"]),
    get_distinct_id: () => "anon-1",
    get_session_id: () => "session-1",
    group: (type, key) => void calls.push(["group", type, key]),
    resetGroups: () => void calls.push(["resetGroups"]),
    set_config: (config) => void calls.push(["set_config", config]),
  };
  return { ph, calls };
}

function setup(win?: Partial<Window> & Record<string, unknown>) {
  const { ph, calls } = fakePostHog();
  const loadPostHog = vi.fn(async () => ph);
  const client = createAnalyticsClient({ loadPostHog, window: win as Window | undefined });
  return { client, calls, loadPostHog };
}

const webWindow = { navigator: { userAgent: "Mozilla/5.0 Chrome/140" } } as unknown as Window & Record<string, unknown>;

describe("analytics client init", () => {
  it("inits posthog-js with the reference options and registers the super-properties", async () => {
    const { client, calls } = setup(webWindow);
    await client.init({ key: "phc_x", host: "", environment: "Prod", appVersion: "1.2.3" });
    expect(calls[0]).toEqual([
      "init",
      "phc_x",
      {
        api_host: "https://us.i.posthog.com",
        person_profiles: "identified_only",
        capture_pageview: false,
        autocapture: false,
        capture_heatmaps: false,
        capture_dead_clicks: false,
        capture_exceptions: false,
        disable_session_recording: true,
        disable_surveys: true,
        disable_external_dependency_loading: true,
        mask_personal_data_properties: true,
        custom_personal_data_properties: ["q"],
      },
    ]);
    expect(calls[1]).toEqual([
      "register",
      { client_type: "web", app_version: "1.2.3", environment: "production", event_schema_version: 2, is_demo: false },
    ]);
    expect(client.state).toBe("ready");
  });

  it("omits app_version when not provided, defaults the environment to dev, detects the desktop shell", async () => {
    const { client, calls } = setup({ ...webWindow, electron: {} });
    await client.init({ key: "k" });
    expect(calls[1]).toEqual(["register", { client_type: "desktop", environment: "dev", event_schema_version: 2, is_demo: false }]);
  });

  it("sets opt_out_useragent_filter only when asked to, and passes a proxy host through", async () => {
    const { client, calls } = setup(webWindow);
    await client.init({ key: "k", host: "/ingest", allowBotUserAgents: true });
    expect(calls[0][2]).toMatchObject({ api_host: "/ingest", opt_out_useragent_filter: true });
    const other = setup(webWindow);
    await other.client.init({ key: "k" });
    expect(other.calls[0][2]).not.toHaveProperty("opt_out_useragent_filter");
  });

  it("is idempotent: a second init neither reloads nor re-inits", async () => {
    const { client, calls, loadPostHog } = setup(webWindow);
    await Promise.all([client.init({ key: "k" }), client.init({ key: "k" })]);
    await client.init({ key: "other" });
    expect(loadPostHog).toHaveBeenCalledTimes(1);
    expect(calls.filter((c) => c[0] === "init")).toHaveLength(1);
  });

  it("with no key never loads posthog-js and drops everything buffered or later", async () => {
    const { client, loadPostHog, calls } = setup(webWindow);
    client.identify("u1", { email: "a@b.c" });
    client.captureEvent("feedback_opened");
    await client.init({ key: "" });
    client.capturePageview("/");
    await client.init({ key: "k" });
    expect(loadPostHog).not.toHaveBeenCalled();
    expect(calls).toEqual([]);
    expect(client.state).toBe("disabled");
  });

  it("keeps the app working when the posthog-js chunk fails to load", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const client = createAnalyticsClient({ loadPostHog: () => Promise.reject(new Error("blocked")), window: webWindow });
    client.captureEvent("x");
    await expect(client.init({ key: "k" })).resolves.toBeUndefined();
    expect(client.state).toBe("disabled");
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });
});

describe("buffering before init", () => {
  it("replays the latest identify, then every pageview in order, then the ops in call order", async () => {
    const { client, calls } = setup(webWindow);
    client.capturePageview("/first");
    client.captureEvent("e1", { a: 1 });
    client.identify("old-user", { email: "old@x.io" });
    client.setPersonProperties({ role: "engineer" });
    client.capturePageview("/second?x=1");
    client.identify("u1", { email: "u1@x.io", name: "U One" });
    client.setPersonPropertiesOnce({ first_os: "mac" });
    client.captureEvent("e2");
    expect(calls).toEqual([]);

    await client.init({ key: "k", environment: "staging" });
    const env = { event_schema_version: 2, environment: "staging", is_demo: false };
    expect(calls.slice(2)).toEqual([
      ["identify", "u1", { email: "u1@x.io", name: "U One" }],
      ["capture", "$pageview", { $current_url: "/first" }],
      ["capture", "$pageview", { $current_url: "/second?x=1" }],
      // user_id is the user current at call time: nobody yet for e1, u1 for e2.
      ["capture", "e1", { a: 1, ...env }],
      ["capture", "$set", { $set: { role: "engineer" } }],
      ["capture", "$set", { $set_once: { first_os: "mac" } }],
      ["capture", "e2", { user_id: "u1", ...env }],
    ]);
  });

  it("also buffers calls made while posthog-js is still loading", async () => {
    const { ph, calls } = fakePostHog();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const client = createAnalyticsClient({ loadPostHog: async () => (await gate, ph), window: webWindow });
    const done = client.init({ key: "k" });
    client.identify("u1");
    client.captureEvent("during_load");
    expect(client.state).toBe("loading");
    release();
    await done;
    expect(calls.slice(2).map((c) => c.slice(0, 2))).toEqual([
      ["identify", "u1"],
      ["capture", "during_load"],
    ]);
  });

  it("sends directly once ready, and does not replay anything twice", async () => {
    const { client, calls } = setup(webWindow);
    client.captureEvent("before");
    await client.init({ key: "k" });
    client.captureEvent("after", { environment: "custom" });
    expect(calls.slice(2)).toEqual([
      ["capture", "before", { event_schema_version: 2, environment: "dev", is_demo: false }],
      ["capture", "after", { event_schema_version: 2, environment: "custom", is_demo: false }],
    ]);
  });

  it("bounds the ops buffer", async () => {
    const { client, calls } = setup(webWindow);
    for (let i = 0; i < MAX_PENDING_OPS + 10; i++) client.captureEvent(`e${i}`);
    await client.init({ key: "k" });
    const captured = calls.filter((c) => c[0] === "capture");
    expect(captured).toHaveLength(MAX_PENDING_OPS);
    expect(captured[0][1]).toBe("e0");
  });

  it("bounds the pageview buffer the same way", async () => {
    const { client, calls } = setup(webWindow);
    for (let i = 0; i < MAX_PENDING_OPS + 10; i++) client.capturePageview(`/p${i}`);
    await client.init({ key: "k" });
    const views = calls.filter((c) => c[0] === "capture" && c[1] === "$pageview");
    expect(views).toHaveLength(MAX_PENDING_OPS);
    expect(views[0][2]).toEqual({ $current_url: "/p0" });
  });
});

describe("reset", () => {
  it("after init: posthog.reset() once, then the same super-properties registered again, user_id forgotten", async () => {
    const { client, calls } = setup(webWindow);
    await client.init({ key: "k", appVersion: "9" });
    expect(client.userId).toBeNull(); // a visitor: the consent banner keeps their choice in the cookie only
    client.identify("u1");
    expect(client.userId).toBe("u1");
    client.reset();
    expect(client.userId).toBeNull();
    client.captureEvent("after_logout");
    const registered = calls.filter((c) => c[0] === "register");
    expect(calls.slice(3)).toEqual([
      ["reset"],
      ["register", registered[0][1]],
      ["capture", "after_logout", { event_schema_version: 2, environment: "dev", is_demo: false }],
    ]);
    expect(registered).toHaveLength(2);
  });

  it("before init: calls neither reset nor register, and clears what was buffered", async () => {
    const { client, calls } = setup(webWindow);
    client.identify("u1");
    client.capturePageview("/a");
    client.captureEvent("e");
    client.reset();
    expect(calls).toEqual([]);
    await client.init({ key: "k" });
    expect(calls.map((c) => c[0])).toEqual(["init", "register"]);
  });
});

describe("client events", () => {
  it("feedback_opened carries the source and the workspace when known", async () => {
    const { client, calls } = setup(webWindow);
    await client.init({ key: "k" });
    captureFeedbackOpened(client, { workspaceId: "w1" });
    captureFeedbackOpened(client);
    expect(calls.slice(2).map((c) => c[2])).toEqual([
      expect.objectContaining({ source: "help_menu", workspace_id: "w1" }),
      expect.not.objectContaining({ workspace_id: expect.anything() }),
    ]);
  });

  it("onboarding_runtime_path_selected sets the platform preference and the download intent", async () => {
    const { client, calls } = setup(webWindow);
    await client.init({ key: "k" });
    captureOnboardingRuntimePathSelected(client, { path: "download_desktop", isMac: true });
    captureOnboardingRuntimePathSelected(client, { path: "cli", isMac: false, workspaceId: "w" });
    expect(calls.slice(2).map((c) => [c[1], c[2]])).toEqual([
      ["onboarding_runtime_path_selected", expect.objectContaining({ path: "download_desktop", surface: "step3", is_mac: true })],
      ["download_intent_expressed", expect.objectContaining({ source: "step3" })],
      ["$set", { $set: { platform_preference: "desktop" } }],
      ["onboarding_runtime_path_selected", expect.objectContaining({ path: "cli", workspace_id: "w", source: "onboarding" })],
      ["$set", { $set: { platform_preference: "web" } }],
    ]);
  });
});

describe("identity bootstrap (issue 16)", () => {
  it("a user identified before init starts posthog-js bootstrapped as that user, then sets person properties", async () => {
    const { client, calls } = setup(webWindow);
    client.identify("user-1", { email: "a@b.co" });
    client.capturePageview("/w/acme");
    await client.init({ key: "k" });
    expect(calls[0][2]).toMatchObject({ bootstrap: { distinctID: "user-1", isIdentifiedID: true } });
    expect(calls.slice(2)).toEqual([
      ["identify", "user-1", { email: "a@b.co" }],
      ["capture", "$pageview", { $current_url: "/w/acme" }],
    ]);
  });

  it("an anonymous page is not bootstrapped", async () => {
    const { client, calls } = setup(webWindow);
    await client.init({ key: "k" });
    expect(calls[0][2]).not.toHaveProperty("bootstrap");
  });
});

describe("consent (issue 16)", () => {
  it("pending: memory persistence, no bootstrap, no identify and no person properties", async () => {
    const { client, calls } = setup(webWindow);
    client.identify("user-1", { email: "a@b.co" });
    client.setPersonProperties({ role: "dev" });
    client.captureEvent("feedback_opened", {});
    await client.init({ key: "k", consent: "pending" });
    expect(calls[0][2]).toMatchObject({ persistence: "memory" });
    expect(calls[0][2]).not.toHaveProperty("bootstrap");
    expect(calls.map((c) => c[0])).toEqual(["init", "register", "capture"]);
    expect(calls[2][1]).toBe("feedback_opened");
  });

  it("granting later switches to persistent storage and identifies the known user", async () => {
    const { client, calls } = setup(webWindow);
    await client.init({ key: "k", consent: "pending" });
    client.identify("user-1", { email: "a@b.co" });
    expect(calls.map((c) => c[0])).toEqual(["init", "register"]);
    client.setConsent("granted");
    expect(calls.slice(2)).toEqual([
      ["set_config", { persistence: "localStorage+cookie" }],
      ["identify", "user-1", {}],
    ]);
  });

  it("refusing after agreeing forgets the ids and continues in memory", async () => {
    const { client, calls } = setup(webWindow);
    await client.init({ key: "k" });
    client.identify("user-1");
    client.setConsent("denied");
    expect(calls.slice(3).map((c) => c[0])).toEqual(["reset", "set_config", "register"]);
    expect(calls[4]).toEqual(["set_config", { persistence: "memory" }]);
  });
});

describe("groups and tracing headers (issue 16)", () => {
  it("groups only when enabled; leaving a workspace resets the group", async () => {
    const off = setup(webWindow);
    off.client.setWorkspace("ws-1");
    await off.client.init({ key: "k" });
    expect(off.calls.some((c) => c[0] === "group")).toBe(false);

    const on = setup(webWindow);
    on.client.setWorkspace("ws-1");
    await on.client.init({ key: "k", groups: true });
    on.client.setWorkspace(null);
    expect(on.calls.filter((c) => c[0] === "group" || c[0] === "resetGroups")).toEqual([["group", "workspace", "ws-1"], ["resetGroups"]]);

    // A page outside any workspace drops the group posthog-js persisted from an earlier one.
    const outside = setup(webWindow);
    await outside.client.init({ key: "k", groups: true });
    expect(outside.calls.filter((c) => c[0] === "group" || c[0] === "resetGroups")).toEqual([["resetGroups"]]);
  });

  it("tracing headers carry the distinct and session ids once ready, nothing before", async () => {
    const { client } = setup(webWindow);
    expect(client.tracingHeaders()).toEqual({});
    await client.init({ key: "k" });
    expect(client.tracingHeaders()).toEqual({ "X-POSTHOG-DISTINCT-ID": "anon-1", "X-POSTHOG-SESSION-ID": "session-1" });
  });
});
