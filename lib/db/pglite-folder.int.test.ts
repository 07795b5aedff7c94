import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { closeDb, getDb, type Db } from "@/lib/db";
import { ensureDataFolder, restoreFromTemplate, templatePath } from "./pglite-template.mjs";

const root = process.cwd();
const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL, NEXT_DIST_DIR: process.env.NEXT_DIST_DIR };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-pglite-"));
// The template goes under NEXT_DIST_DIR: a build folder of this test's own, so a real build's template is not used.
process.env.NEXT_DIST_DIR = path.join(tmp, "dist");
const template = templatePath(root)!;

const journal = JSON.parse(fs.readFileSync(path.join(root, "drizzle", "meta", "_journal.json"), "utf8")) as { entries: { idx: number }[] };
const migrations = journal.entries.length;
const last = String(journal.entries.at(-1)!.idx).padStart(4, "0");
/** Every table the schema has after the last migration, from drizzle-kit's snapshot of it. */
const schemaTables = Object.keys(
  (JSON.parse(fs.readFileSync(path.join(root, "drizzle", "meta", `${last}_snapshot.json`), "utf8")) as { tables: Record<string, unknown> }).tables,
)
  .map((t) => t.replace(/^public\./, ""))
  .sort();

const rows = <T,>(r: unknown) => (r as { rows: T[] }).rows;

async function openFolder(name: string): Promise<Db> {
  await closeDb();
  delete process.env.DATABASE_URL;
  process.env.DATA_DIR = path.join(tmp, name);
  resetConfigForTests();
  return getDb();
}

async function expectFullSchema(db: Db) {
  expect(rows<{ n: number }>(await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`))[0].n).toBe(migrations);
  const tables = rows<{ t: string }>(await db.execute(sql`select tablename as t from pg_tables where schemaname = 'public' order by 1`)).map((r) => r.t);
  expect(tables.filter((t) => !t.startsWith("probe_"))).toEqual(schemaTables);
  expect(rows<{ shared_buffers: string }>(await db.execute(sql`show shared_buffers`))[0].shared_buffers).toBe("16MB");
  // The template databases are dropped when a folder is initialised (fewer files to copy from a template).
  expect(rows<{ datname: string }>(await db.execute(sql`select datname from pg_database`)).map((r) => r.datname)).toEqual(["postgres"]);
}

afterAll(async () => {
  await closeDb();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetConfigForTests();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("PGlite data folder", () => {
  it("without a usable template a fresh folder is initialised (child process) and migrated, then kept as the template", { timeout: 180_000 }, async () => {
    // A broken template (a copy cut short): no PG_VERSION, so it is not used, and it is replaced.
    fs.mkdirSync(template, { recursive: true });
    fs.writeFileSync(path.join(template, "junk"), "x");
    const db = await openFolder("a");
    expect(fs.existsSync(path.join(tmp, "a", "pglite", "PG_VERSION"))).toBe(true);
    await expectFullSchema(db);
    expect(fs.existsSync(path.join(template, "PG_VERSION"))).toBe(true);
    expect(fs.existsSync(path.join(template, "junk"))).toBe(false);
  });

  it("a fresh folder is a copy of the template, with the full schema, and works", { timeout: 60_000 }, async () => {
    await closeDb();
    // Mark the template, so the new folder shows where it came from.
    const t = await PGlite.create(template);
    await t.exec("create table probe_template (v int); insert into probe_template values (7);");
    await t.close();

    const db = await openFolder("b");
    await expectFullSchema(db);
    expect(rows<{ v: number }>(await db.execute(sql`select v from probe_template`))).toEqual([{ v: 7 }]);
    await db.execute(sql`insert into probe_template values (8)`);
    expect(rows<{ n: number }>(await db.execute(sql`select count(*)::int as n from probe_template`))[0].n).toBe(2);
    // A copy: the template itself is unchanged.
    await closeDb();
    const again = await PGlite.create(template);
    expect((await again.query<{ n: number }>("select count(*)::int as n from probe_template")).rows[0].n).toBe(1);
    await again.close();
  });

  it("an existing folder opens in place with its data", { timeout: 60_000 }, async () => {
    let db = await openFolder("b");
    await db.execute(sql`create table if not exists probe_folder (v int)`);
    await db.execute(sql`insert into probe_folder values (42)`);
    db = await openFolder("b");
    expect(rows<{ v: number }>(await db.execute(sql`select v from probe_folder`))).toEqual([{ v: 42 }]);
  });

  it("server.mjs's early start and the database open share one preparation of a folder", { timeout: 60_000 }, async () => {
    const dir = path.join(tmp, "d", "pglite");
    // A copy a killed server left behind (e.g. its configuration was bad) is removed.
    fs.mkdirSync(`${dir}.tmp-1-deadbeef`, { recursive: true });
    const early = ensureDataFolder(dir, root);
    expect(ensureDataFolder(dir, root)).toBe(early);
    expect(await early).toBe("template");
    expect(await ensureDataFolder(dir, root)).toBe("existing");
    expect(fs.readdirSync(path.join(tmp, "d"))).toEqual(["pglite"]);
    const db = await openFolder("d");
    await expectFullSchema(db);
  });

  it("a folder with other files in it is never replaced by the template", async () => {
    const dir = path.join(tmp, "c");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "mine"), "x");
    expect(await restoreFromTemplate(dir, root)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual(["mine"]);
    expect(fs.readdirSync(tmp).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });
});
