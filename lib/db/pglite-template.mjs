// Fresh PGlite data folders without initdb (issue 15). initdb in WebAssembly takes several seconds (7 s on an idle
// core, 15+ s on a busy machine), most of a fresh install's first start. A folder that was initialised, migrated and
// closed cleanly is an ordinary PostgreSQL data directory: a copy of it is a working database (PGlite's own
// `dumpDataDir` is a tar of the same files). So `npm run build` makes one such folder, the template, and a fresh
// data folder starts as a copy of it: 26 MB in ~540 files (no template databases), 0.2–0.4 s of copying in a worker
// thread that server.mjs starts before it loads Next, and no WebAssembly runs until the folder is opened as usual (restoring PGlite's tar
// dump through `loadDataDir` instead took ~2.5 s on the main thread and grew its memory by ~150 MB).
//
// The template is stamped with a hash of drizzle/ and the PGlite version; the server runs migrate() after opening
// anyway, so a stale or missing template only ever costs time: without one a fresh folder is initialised as before,
// and that folder then becomes the template for the next one (dev, tests, a build folder the script never saw).
//
// Plain JavaScript, shared by lib/db/client.ts (inside the Next build) and scripts/pglite-template.mjs (plain node).
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";

/** Part of the stamp: bump when what a template holds changes in a way drizzle/ and the PGlite version do not show. */
const FORMAT = "2";

/**
 * initdb + migrations in a child process. initdb grows PGlite's WebAssembly memory to ~800 MB RSS, and WebAssembly
 * memory never shrinks: done in the app's process, a fresh install idled at 853 MB (issue 15) against ~300 MB when
 * the same folder is opened again. A worker thread gave most of it back but not all (~440 MB: the allocator keeps
 * the thread's pages); a process that exits gives back everything. Packages resolve from `root` (the app root).
 */
const INIT_SCRIPT = `
(async () => {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const client = await PGlite.create(process.env.TANDEM_PGLITE_INIT_DIR);
  try {
    await migrate(drizzle({ client }), { migrationsFolder: process.env.TANDEM_PGLITE_INIT_MIGRATIONS });
    // The app only ever uses "postgres" and never creates a database: without template0 and template1 a folder
    // has ~540 files instead of ~1,150, and copying a template is that much faster (file creation dominates it).
    for (const name of ["template1", "template0"]) {
      await client.exec("ALTER DATABASE " + name + " IS_TEMPLATE false");
      await client.exec("DROP DATABASE " + name);
    }
  } finally {
    await client.close();
  }
})().catch((err) => {
  console.error(err && err.stack || err);
  process.exit(1);
});
`;

/** Where templates live: the build folder's cache, which `next build` and `next dev` keep (they clean the rest). */
export function templateRoot(root = process.cwd()) {
  return path.resolve(root, process.env.NEXT_DIST_DIR || ".next", "cache", "pglite-template");
}

/** Hash of everything a template depends on; null when PGlite's version cannot be read (then no template is used). */
export function templateStamp(root = process.cwd()) {
  let version;
  try {
    version = JSON.parse(fs.readFileSync(path.join(root, "node_modules", "@electric-sql", "pglite", "package.json"), "utf8")).version;
  } catch {
    return null;
  }
  const migrations = path.join(root, "drizzle");
  const hash = crypto.createHash("sha256").update(`format ${FORMAT}\npglite ${version}\n`);
  const files = fs
    .readdirSync(migrations, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(migrations, path.join(e.parentPath ?? e.path, e.name)).split(path.sep).join("/"))
    .sort();
  for (const rel of files) hash.update(`${rel}\0`).update(fs.readFileSync(path.join(migrations, rel))).update("\0");
  return hash.digest("hex").slice(0, 16);
}

/** The current template's folder (it may not exist), or null when there can be none. */
export function templatePath(root = process.cwd()) {
  const stamp = templateStamp(root);
  return stamp ? path.join(templateRoot(root), stamp) : null;
}

const isDataFolder = (dir) => fs.existsSync(path.join(dir, "PG_VERSION"));
const tmpName = (dest) => `${dest}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
/** A writer that has not finished its .tmp- folder in this long has died (a copy takes well under a second). */
const ABANDONED_MS = 10 * 60_000;

/** Removes the .tmp- folders next to `dest` that writers left behind (killed mid-copy, e.g. a bad configuration). */
function removeLeftovers(dest, olderThanMs) {
  const dir = path.dirname(dest);
  const prefix = `${path.basename(dest)}.tmp-`;
  let names;
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const full = path.join(dir, name);
    try {
      if (Date.now() - fs.statSync(full).mtimeMs >= olderThanMs) fs.rmSync(full, { recursive: true, force: true });
    } catch {
      // gone meanwhile
    }
  }
}

/**
 * Moves a finished folder to `dest` in one rename, so nobody ever sees half a data folder (a copy cut short by a
 * crash or a full disk stays a .tmp- folder). `dest` may exist only as an empty folder.
 */
function moveInto(src, dest) {
  try {
    fs.rmdirSync(dest);
  } catch (err) {
    if (err.code !== "ENOENT") throw err;
  }
  fs.renameSync(src, dest);
}

/** initdb + migrations of `dataDir` (missing or empty) in a child process that exits. */
export function initFolder(dataDir, root = process.cwd()) {
  fs.mkdirSync(dataDir, { recursive: true });
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-e", INIT_SCRIPT],
      {
        cwd: root,
        env: { ...process.env, TANDEM_PGLITE_INIT_DIR: dataDir, TANDEM_PGLITE_INIT_MIGRATIONS: path.join(root, "drizzle") },
        maxBuffer: 1 << 20,
      },
      (err, _stdout, stderr) => (err ? reject(new Error(`PGlite init of ${dataDir} failed: ${stderr.trim() || err.message}`)) : resolve()),
    );
  });
}

/**
 * Copies a folder of plain files and folders (a data folder has nothing else; anything else throws) in a worker
 * thread, with synchronous calls. Not on libuv's threads: the main thread's own file reads (Node's ESM loader reads
 * every module it imports through them) queued behind ~1,200 copies, and the server stood idle ~0.2 s of its start.
 * FICLONE: a copy-on-write clone where the file system offers one (btrfs, XFS, APFS), else a plain copy.
 */
const COPY_SCRIPT = `
const fs = require("node:fs");
const path = require("node:path");
const { from, to } = require("node:worker_threads").workerData;
fs.mkdirSync(to);
for (const e of fs.readdirSync(from, { recursive: true, withFileTypes: true })) {
  const rel = path.relative(from, path.join(e.parentPath ?? e.path, e.name));
  if (e.isDirectory()) fs.mkdirSync(path.join(to, rel), { recursive: true });
  else if (e.isFile()) fs.copyFileSync(path.join(from, rel), path.join(to, rel), fs.constants.COPYFILE_FICLONE);
  else throw new Error("not a plain file: " + rel);
}
`;

function copyTree(from, to) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(COPY_SCRIPT, { eval: true, workerData: { from, to } });
    worker.once("error", reject);
    worker.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`the copy stopped with exit code ${code}`))));
  });
}

/**
 * Copies the template into `dataDir` (missing or empty); false when there is no usable template or the copy failed.
 * Asynchronous: the copy runs in a worker thread while the server's main thread loads Next.
 */
export async function restoreFromTemplate(dataDir, root = process.cwd()) {
  const from = templatePath(root);
  if (!from || !isDataFolder(from)) return false;
  // One server per data folder (docs/operations.md): any .tmp- copy next to it is a dead one's.
  removeLeftovers(dataDir, 0);
  const tmp = tmpName(dataDir);
  try {
    await fs.promises.mkdir(path.dirname(dataDir), { recursive: true });
    await copyTree(from, tmp);
    moveInto(tmp, dataDir); // throws on a non-empty dataDir: that folder is not ours to replace
    return true;
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true });
    return false;
  }
}

/**
 * Publishes `src` (a closed, migrated data folder, or a temporary one that is moved rather than copied) as the
 * current template, and removes templates of other stamps. Returns the template's path, or null when none can be.
 */
function publish(src, root, { move }) {
  const dest = templatePath(root);
  if (!dest) return null;
  if (isDataFolder(dest)) return dest;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = move ? src : tmpName(dest);
  try {
    if (!move) fs.cpSync(src, tmp, { recursive: true });
    // Checked again after the copy: another process may have published the same template meanwhile.
    if (!isDataFolder(dest)) {
      fs.rmSync(dest, { recursive: true, force: true }); // a broken template (no PG_VERSION)
      moveInto(tmp, dest);
    }
  } catch (err) {
    if (!isDataFolder(dest)) throw err;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true }); // gone already when it was moved
  }
  const stamp = path.basename(dest);
  for (const name of fs.readdirSync(path.dirname(dest))) {
    // Other stamps are stale; a name starting with ours is the same template or a .tmp- folder of another writer,
    // which may still be at work (several servers starting at once) unless it is old.
    if (!name.startsWith(stamp)) fs.rmSync(path.join(path.dirname(dest), name), { recursive: true, force: true });
  }
  removeLeftovers(dest, ABANDONED_MS);
  return dest;
}

/** Makes the current template (initdb + migrations in a child process) unless it exists; `npm run build` runs this. */
export async function buildTemplate(root = process.cwd()) {
  const dest = templatePath(root);
  if (!dest) throw new Error("cannot read @electric-sql/pglite's version under node_modules");
  if (isDataFolder(dest)) return { path: dest, built: false };
  const tmp = tmpName(dest);
  try {
    await initFolder(tmp, root);
    return { path: publish(tmp, root, { move: true }), built: true };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Makes `dataDir` (no PG_VERSION in it) a ready PGlite folder: a copy of the template when there is one, else initdb
 * + migrations in a child process, after which the new folder is kept as the template (best effort: a read-only
 * build folder just means the next fresh folder is initialised too). Returns how.
 */
export async function prepareFreshFolder(dataDir, root = process.cwd()) {
  if (await restoreFromTemplate(dataDir, root)) return "template";
  await initFolder(dataDir, root);
  try {
    publish(dataDir, root, { move: false });
  } catch {
    // not writable: nothing lost but time on the next fresh folder
  }
  return "initdb";
}

const PREPARING = Symbol.for("tandem.pglite.preparing");

/**
 * Makes `dataDir` ready to open: "existing" when it already is, else prepareFreshFolder(). One preparation per folder
 * per process: server.mjs starts it before loading Next, and lib/db/client.ts waits for the same one (both load
 * this file as separate module instances, hence the promise on globalThis).
 */
export function ensureDataFolder(dataDir, root = process.cwd()) {
  const preparing = (globalThis[PREPARING] ??= new Map());
  const pending = preparing.get(dataDir);
  if (pending) return pending;
  if (isDataFolder(dataDir)) return Promise.resolve("existing");
  const t0 = performance.now();
  const p = prepareFreshFolder(dataDir, root)
    .then((how) => {
      const ms = Math.round(performance.now() - t0);
      console.log(`> database: new PGlite folder ${how === "template" ? "copied from the template" : "initialised (no template yet)"} in ${ms} ms`);
      return how;
    })
    .finally(() => preparing.delete(dataDir));
  preparing.set(dataDir, p);
  return p;
}

/**
 * The PGlite folder this environment opens, or null (PostgreSQL, or an in-memory database): lib/config.ts's rule
 * (a blank DATABASE_URL is unset; DATA_DIR defaults to ./.data) and lib/db/client.ts's `<DATA_DIR>/pglite`, for
 * server.mjs, which starts before the configuration is loaded. pglite-template.test.ts checks that they agree.
 */
export function pgliteFolder(env = process.env) {
  if ((env.DATABASE_URL ?? "").trim() !== "") return null;
  const dataDir = env.DATA_DIR ?? "./.data";
  return dataDir.startsWith("memory://") ? null : path.resolve(dataDir, "pglite");
}
