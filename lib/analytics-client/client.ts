import type { PostHogConfig } from "posthog-js/dist/module.slim";

/**
 * The part of posthog-js this wrapper uses. The loader is injected so that posthog-js is only fetched (a separate
 * chunk, via dynamic import) once `/api/config` has returned a key, and so tests can hand in a recording fake.
 */
export interface PostHogLike {
  init(token: string, config: Partial<PostHogConfig>): unknown;
  register(properties: Record<string, unknown>): void;
  identify(distinctId: string, userPropertiesToSet?: Record<string, unknown>): void;
  capture(event: string, properties?: Record<string, unknown>): unknown;
  reset(): void;
  get_distinct_id(): string;
  get_session_id(): string;
  group(groupType: string, groupKey: string): void;
  resetGroups(): void;
  set_config(config: Partial<PostHogConfig>): void;
}

export type PostHogLoader = () => Promise<PostHogLike>;

export type AnalyticsEnvironment = "production" | "staging" | "dev";

export interface SuperProperties {
  client_type: "web" | "desktop";
  app_version?: string;
  environment: AnalyticsEnvironment;
  event_schema_version: 2;
  is_demo: false;
}

export interface InitOptions {
  key: string;
  /** PostHog API host, or a same-origin path such as `/ingest` when the reverse proxy is used. */
  host?: string;
  environment?: string;
  appVersion?: string;
  /**
   * posthog-js drops events from browsers that look automated (headless UA, `navigator.webdriver`). Only test builds
   * turn this on, so the e2e suite can see real events from headless Chromium.
   */
  allowBotUserAgents?: boolean;
  /** Group analytics on (POSTHOG_GROUPS): `setWorkspace` calls `posthog.group('workspace', id)`. */
  groups?: boolean;
  /**
   * `granted` (the default, and ANALYTICS_CONSENT=implied): posthog-js persists its ids and people are identified.
   * `pending` / `denied`: in-memory ids only, no identify and no person properties (ANALYTICS_CONSENT=required).
   */
  consent?: ConsentState;
}

export type ConsentState = "granted" | "pending" | "denied";

export interface IdentifyProperties {
  email?: string;
  name?: string;
}

export type EventProperties = Record<string, unknown>;

export const DEFAULT_POSTHOG_HOST = "https://us.i.posthog.com";
export const EVENT_SCHEMA_VERSION = 2;
/** Bound on calls buffered before init, so a page whose config fetch never returns cannot grow without limit. */
export const MAX_PENDING_OPS = 100;

export function normalizeEnvironment(raw: string | undefined): AnalyticsEnvironment {
  const s = (raw ?? "").trim().toLowerCase();
  if (s === "production" || s === "prod") return "production";
  if (s === "staging" || s === "stage") return "staging";
  return "dev";
}

export function detectClientType(win: Window | undefined): "web" | "desktop" {
  if (!win) return "web";
  const w = win as Window & { electron?: unknown; desktopAPI?: unknown };
  if (w.electron !== undefined || w.desktopAPI !== undefined) return "desktop";
  return /Electron/.test(win.navigator?.userAgent ?? "") ? "desktop" : "web";
}

export function buildSuperProperties(opts: Pick<InitOptions, "environment" | "appVersion">, win?: Window): SuperProperties {
  const props: SuperProperties = {
    client_type: detectClientType(win),
    environment: normalizeEnvironment(opts.environment),
    event_schema_version: EVENT_SCHEMA_VERSION,
    is_demo: false,
  };
  if (opts.appVersion) props.app_version = opts.appVersion;
  return props;
}

/** Init options as the reference: nothing is captured implicitly; only the calls made through this module. */
/** Query parameters that carry what a person typed (the issue search): masked in every URL analytics sends. */
export const FREE_TEXT_URL_PARAMS = ["q"];

export function postHogConfig(opts: InitOptions, bootstrapUserId?: string | null): Partial<PostHogConfig> {
  const granted = (opts.consent ?? "granted") === "granted";
  return {
    api_host: opts.host || DEFAULT_POSTHOG_HOST,
    person_profiles: "identified_only",
    capture_pageview: false,
    autocapture: false,
    capture_heatmaps: false,
    capture_dead_clicks: false,
    capture_exceptions: false,
    disable_session_recording: true,
    disable_surveys: true,
    // No further scripts from the analytics host (remote config.js, site apps, toolbar): posthog-js is all we run.
    disable_external_dependency_loading: true,
    // posthog-js adds the full URL to every event: ad click ids and typed search text are masked there.
    mask_personal_data_properties: true,
    custom_personal_data_properties: FREE_TEXT_URL_PARAMS,
    ...(opts.allowBotUserAgents ? { opt_out_useragent_filter: true } : {}),
    // Without consent nothing is written to cookies or storage: the ids live as long as the page.
    ...(granted ? {} : { persistence: "memory" as const }),
    // A page rendered for a signed-in user starts as that user: no anonymous first pageview, no identify race.
    ...(granted && bootstrapUserId ? { bootstrap: { distinctID: bootstrapUserId, isIdentifiedID: true } } : {}),
  };
}

type State = "idle" | "loading" | "ready" | "disabled";
type PendingOp = { event: string; properties: EventProperties };

export interface AnalyticsClient {
  /** Loads posthog-js and replays buffered calls. Idempotent; with no key it disables the client instead. */
  init(opts: InitOptions): Promise<void>;
  /** Analytics is off for this page (no key, or posthog-js failed to load): drop buffered and future calls. */
  disable(): void;
  identify(userId: string, props?: IdentifyProperties): void;
  capturePageview(path: string): void;
  captureEvent(event: string, properties?: EventProperties): void;
  setPersonProperties(props: EventProperties): void;
  setPersonPropertiesOnce(props: EventProperties): void;
  reset(): void;
  /** The person has just agreed or refused (ANALYTICS_CONSENT=required): switch persistence and identity. */
  setConsent(consent: ConsentState): void;
  /** Group analytics: the workspace the person is in (null on leaving it). */
  setWorkspace(workspaceId: string | null): void;
  /**
   * `X-POSTHOG-DISTINCT-ID` / `X-POSTHOG-SESSION-ID` for our own API calls, so server events caused by an anonymous
   * visitor (signup, forms) can be stitched to the browser's person. Empty before init or with analytics off.
   */
  tracingHeaders(): Record<string, string>;
  readonly state: State;
  /** The signed-in person this page identified (login or session resume), or null for a visitor. */
  readonly userId: string | null;
}

export function createAnalyticsClient(deps: { loadPostHog: PostHogLoader; window?: Window }): AnalyticsClient {
  let state: State = "idle";
  let posthog: PostHogLike | null = null;
  let superProperties: SuperProperties | null = null;
  let currentUserId: string | null = null;
  let pendingIdentify: { userId: string; props: IdentifyProperties } | null = null;
  // Every navigation before posthog-js is ready, in order (TELEMETRY.md §9: one $pageview per navigation; the
  // reference kept only the latest), bounded like the ops.
  let pendingPageviews: string[] = [];
  let pendingOps: PendingOp[] = [];
  let initPromise: Promise<void> | null = null;
  let consent: ConsentState = "granted";
  let groupsEnabled = false;
  let workspaceId: string | null = null;
  let identifiedAs: string | null = null;

  const buffering = () => state === "idle" || state === "loading";

  function clearPending() {
    pendingIdentify = null;
    pendingPageviews = [];
    pendingOps = [];
  }

  /** The envelope the server events carry, added only where the caller did not set it. */
  function withEnvelope(properties: EventProperties): EventProperties {
    const out = { ...properties };
    if (superProperties) {
      out.event_schema_version ??= superProperties.event_schema_version;
      out.environment ??= superProperties.environment;
      out.is_demo ??= superProperties.is_demo;
    }
    return out;
  }

  function sendIdentify(ph: PostHogLike, userId: string, props: IdentifyProperties) {
    // Without consent the person stays anonymous: no identify, no person properties.
    if (consent !== "granted") return;
    identifiedAs = userId;
    const set: Record<string, string> = {};
    if (props.email) set.email = props.email;
    if (props.name) set.name = props.name;
    ph.identify(userId, set);
  }

  function sendOp(ph: PostHogLike, op: PendingOp) {
    if (op.event === "$set" && consent !== "granted") return;
    ph.capture(op.event, op.event === "$set" ? op.properties : withEnvelope(op.properties));
  }

  function disable() {
    if (state === "ready") return;
    state = "disabled";
    clearPending();
  }

  function enqueue(op: PendingOp) {
    if (state === "ready" && posthog) sendOp(posthog, op);
    else if (buffering() && pendingOps.length < MAX_PENDING_OPS) pendingOps.push(op);
  }

  return {
    get state() {
      return state;
    },

    get userId() {
      return currentUserId;
    },

    init(opts) {
      if (initPromise) return initPromise;
      if (state === "disabled") return Promise.resolve();
      if (!opts.key) {
        disable();
        return Promise.resolve();
      }
      state = "loading";
      initPromise = (async () => {
        let ph: PostHogLike;
        try {
          ph = await deps.loadPostHog();
        } catch (err) {
          // Typically an ad blocker refusing the chunk; the app must keep working without analytics.
          console.warn("analytics: posthog-js failed to load", err);
          state = "disabled";
          clearPending();
          return;
        }
        consent = opts.consent ?? "granted";
        groupsEnabled = opts.groups === true;
        const bootstrapId = pendingIdentify?.userId ?? null;
        ph.init(opts.key, postHogConfig(opts, bootstrapId));
        if (bootstrapId && consent === "granted") identifiedAs = bootstrapId;
        superProperties = buildSuperProperties(opts, deps.window);
        ph.register({ ...superProperties });
        posthog = ph;
        state = "ready";
        // posthog-js restores the group it persisted: a page outside any workspace (a full load after leaving one)
        // must not carry it.
        if (groupsEnabled) {
          if (workspaceId) ph.group("workspace", workspaceId);
          else ph.resetGroups();
        }
        // Identify first so the pageview and the ops are attributed to the user, then the pageview, then the ops.
        if (pendingIdentify) sendIdentify(ph, pendingIdentify.userId, pendingIdentify.props);
        for (const path of pendingPageviews) ph.capture("$pageview", { $current_url: path });
        for (const op of pendingOps) sendOp(ph, op);
        clearPending();
      })();
      return initPromise;
    },

    disable,

    identify(userId, props = {}) {
      if (state === "disabled") return;
      currentUserId = userId;
      if (state === "ready" && posthog) sendIdentify(posthog, userId, props);
      else if (buffering()) pendingIdentify = { userId, props };
    },

    capturePageview(path) {
      if (state === "ready" && posthog) posthog.capture("$pageview", { $current_url: path });
      else if (buffering() && pendingPageviews.length < MAX_PENDING_OPS) pendingPageviews.push(path);
    },

    captureEvent(event, properties = {}) {
      const props = { ...properties };
      if (currentUserId !== null) props.user_id ??= currentUserId;
      enqueue({ event, properties: props });
    },

    setPersonProperties(props) {
      enqueue({ event: "$set", properties: { $set: { ...props } } });
    },

    setPersonPropertiesOnce(props) {
      enqueue({ event: "$set", properties: { $set_once: { ...props } } });
    },

    reset() {
      currentUserId = null;
      identifiedAs = null;
      workspaceId = null;
      clearPending();
      if (state === "ready" && posthog && superProperties) {
        posthog.reset();
        // reset() clears registered super-properties too; without them later events lose their envelope.
        posthog.register({ ...superProperties });
      }
    },

    setConsent(next) {
      if (next === consent) return;
      consent = next;
      if (state !== "ready" || !posthog) return;
      if (next === "granted") {
        posthog.set_config({ persistence: "localStorage+cookie" });
        if (currentUserId && identifiedAs !== currentUserId) sendIdentify(posthog, currentUserId, {});
      } else {
        // A refusal after agreeing: forget the stored ids and continue anonymously in memory.
        posthog.reset();
        identifiedAs = null;
        posthog.set_config({ persistence: "memory" });
        if (superProperties) posthog.register({ ...superProperties });
      }
    },

    setWorkspace(id) {
      if (id === workspaceId) return;
      workspaceId = id;
      if (state !== "ready" || !posthog || !groupsEnabled) return;
      if (id) posthog.group("workspace", id);
      else posthog.resetGroups();
    },

    tracingHeaders() {
      if (state !== "ready" || !posthog) return {};
      const headers: Record<string, string> = {};
      const distinctId = posthog.get_distinct_id();
      const sessionId = posthog.get_session_id();
      if (distinctId) headers["X-POSTHOG-DISTINCT-ID"] = distinctId;
      if (sessionId) headers["X-POSTHOG-SESSION-ID"] = sessionId;
      return headers;
    },
  };
}
