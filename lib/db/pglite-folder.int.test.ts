import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { closeDb, getDb } from "@/lib/db";

const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-pglite-"));
const migrations = fs.readdirSync(path.join(process.cwd(), "drizzle")).filter((f) => f.endsWith(".sql")).length;

async function openFolder() {
  await closeDb();
  delete process.env.DATABASE_URL;
  process.env.DATA_DIR = dir;
  resetConfigForTests();
  return getDb();
}

afterAll(async () => {
  await closeDb();
  Object.assign(process.env, saved);
  if (saved.DATABASE_URL === undefined) delete process.env.DATABASE_URL;
  resetConfigForTests();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("PGlite data folder", () => {
  it("a fresh folder is initialised and migrated (in a child process), then opened with small shared buffers", { timeout: 180_000 }, async () => {
    const db = await openFolder();
    expect(fs.existsSync(path.join(dir, "pglite", "PG_VERSION"))).toBe(true);
    const applied = await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    expect((applied as unknown as { rows: { n: number }[] }).rows[0].n).toBe(migrations);
    const buffers = await db.execute(sql`show shared_buffers`);
    expect((buffers as unknown as { rows: { shared_buffers: string }[] }).rows[0].shared_buffers).toBe("32MB");
  });

  it("an existing folder opens in place with its data", { timeout: 60_000 }, async () => {
    let db = await getDb();
    await db.execute(sql`create table if not exists pglite_folder_probe (v int)`);
    await db.execute(sql`insert into pglite_folder_probe values (42)`);
    db = await openFolder();
    const r = await db.execute(sql`select v from pglite_folder_probe`);
    expect((r as unknown as { rows: { v: number }[] }).rows).toEqual([{ v: 42 }]);
  });
});
