import { expectedOrigin, optionalUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { route } from "@/lib/http";
import { completeSetup } from "@/lib/github/installations";

/** Public: GitHub redirects the installer here; we always answer with a 302 to the settings page. */
export const GET = route("/api/github/setup", async (req) => {
  const db = await getDb();
  const user = await optionalUser(req, db).catch(() => null);
  const result = await completeSetup(db, new URL(req.url).searchParams, user?.user.id ?? null);
  const target = new URL("/settings", expectedOrigin(req));
  target.searchParams.set("tab", "github");
  if (result.slug) target.searchParams.set("workspace", result.slug);
  if (result.error) target.searchParams.set("github_error", result.error);
  else target.searchParams.set("github_connected", "1");
  return new Response(null, { status: 302, headers: { location: target.toString(), "cache-control": "no-store" } });
});
