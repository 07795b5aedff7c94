import { route } from "@/lib/http";
import { proxyToPostHog } from "@/lib/telemetry/ingest-proxy";

// Same-origin reverse proxy for posthog-js (POSTHOG_PROXY=true), so ad blockers do not break the funnel.
const handler = route("/ingest/[...path]", (req) => proxyToPostHog(req));

export const GET = handler;
export const POST = handler;
