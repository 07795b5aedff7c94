import { json, route } from "@/lib/http";
import { publicConfig } from "@/lib/telemetry/public-config";

/** Public client configuration (TELEMETRY.md §7), re-read from the environment on every request. */
export const GET = route("/api/config", async () => json(publicConfig(process.env), 200, { "Cache-Control": "no-store" }));
