/**
 * Runs a bench on code compiled the way production runs it: esbuild bundles the entry with everything it imports
 * from this repo (ES2022, no `keepNames` — tsx adds a `__name()` wrapper around every function, which the Next
 * build does not, and which made the telemetry hot path look 1.4–4× slower), then plain `node` runs the bundle.
 * npm packages stay external: node loads the same files as `next start` does.
 *
 * usage: node bench/compiled.mjs bench/run.ts [args...]
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node bench/compiled.mjs <entry.ts> [args...]");
  process.exit(2);
}
const outfile = path.resolve("tmp/bench", path.basename(entry).replace(/\.tsx?$/, ".mjs"));
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  keepNames: false,
  sourcemap: false,
  logLevel: "warning",
  // The bundle lives in tmp/bench; the code under test resolves the repo root from process.cwd().
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
// The point of compiling: fail if a name-keeping wrapper slipped into the measured code.
if (/\b__name\(/.test(readFileSync(outfile, "utf8"))) {
  console.error(`${outfile} contains __name() wrappers: the bench would not measure production code`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--expose-gc", outfile, ...args], { stdio: "inherit", env: process.env });
process.exit(r.status ?? 1);
