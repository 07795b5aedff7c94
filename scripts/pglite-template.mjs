// `npm run build` runs this after `next build` (never inside it: the build must not open a database). It makes the
// PGlite template — a data folder initialised and migrated once — that a fresh data folder is copied from at start-up
// instead of running initdb (lib/db/pglite-template.mjs). Up to date (same drizzle/, same PGlite) → nothing to do.
// Writes under NEXT_DIST_DIR (default .next), like the build it belongs to.
import { buildTemplate } from "../lib/db/pglite-template.mjs";

const t0 = performance.now();
try {
  const { path, built } = await buildTemplate(process.cwd());
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(built ? `PGlite template built in ${s} s: ${path}` : `PGlite template up to date: ${path}`);
} catch (err) {
  // Not fatal: without a template a fresh data folder is initialised at start-up, only slower.
  console.error(`PGlite template not built (fresh data folders will run initdb at start-up): ${err?.message ?? err}`);
}
