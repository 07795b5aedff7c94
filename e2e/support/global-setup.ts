/**
 * Builds the production app once for the whole e2e run, into its own dist dir (so a developer's `.next` and
 * parallel builds are never touched). NEXT_PUBLIC_ANALYTICS_TEST_MODE=1 is a build-time flag of this test build
 * only: it lets posthog-js accept headless Chromium's user agent.
 * E2E_REUSE_BUILD=1 skips the build when one exists (local iteration).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { E2E_DIST_DIR, ROOT } from "./paths";

export default function setup() {
  const built = fs.existsSync(path.join(ROOT, E2E_DIST_DIR, "BUILD_ID"));
  if (built && process.env.E2E_REUSE_BUILD === "1") return;
  const started = Date.now();
  const res = spawnSync("npx", ["next", "build"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NEXT_DIST_DIR: E2E_DIST_DIR, NEXT_PUBLIC_ANALYTICS_TEST_MODE: "1", NEXT_TELEMETRY_DISABLED: "1" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.status !== 0) {
    throw new Error(`next build failed (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
  }
  // As `npm run build` does: the PGlite template, so each app's fresh data folder is a copy instead of an initdb.
  spawnSync(process.execPath, ["scripts/pglite-template.mjs"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, NEXT_DIST_DIR: E2E_DIST_DIR } });
  console.log(`e2e: production build ready in ${Math.round((Date.now() - started) / 1000)}s`);
}
