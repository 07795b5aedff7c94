import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "@/lib/config";
import { pgliteFolder, restoreFromTemplate, templatePath, templateRoot, templateStamp } from "./pglite-template.mjs";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-template-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A minimal app root: drizzle/ and PGlite's package.json, which is all the stamp reads. */
function appRoot(name: string, version = "0.5.16") {
  const root = path.join(tmp, name);
  fs.mkdirSync(path.join(root, "drizzle", "meta"), { recursive: true });
  fs.mkdirSync(path.join(root, "node_modules", "@electric-sql", "pglite"), { recursive: true });
  fs.writeFileSync(path.join(root, "drizzle", "0000_init.sql"), "create table a (id int);");
  fs.writeFileSync(path.join(root, "drizzle", "meta", "_journal.json"), '{"entries":[]}');
  fs.writeFileSync(path.join(root, "node_modules", "@electric-sql", "pglite", "package.json"), JSON.stringify({ version }));
  return root;
}

describe("PGlite template stamp", () => {
  it("is stable, and changes with any file under drizzle/ and with PGlite's version", () => {
    const root = appRoot("a");
    const stamp = templateStamp(root);
    expect(stamp).toMatch(/^[0-9a-f]{16}$/);
    expect(templateStamp(root)).toBe(stamp);
    expect(templateStamp(appRoot("same"))).toBe(stamp);

    fs.writeFileSync(path.join(root, "drizzle", "0000_init.sql"), "create table a (id bigint);");
    const edited = templateStamp(root);
    expect(edited).not.toBe(stamp);
    fs.writeFileSync(path.join(root, "drizzle", "0001_more.sql"), "create table b (id int);");
    const added = templateStamp(root);
    expect(added).not.toBe(edited);
    fs.writeFileSync(path.join(root, "drizzle", "meta", "_journal.json"), '{"entries":[{"idx":0}]}');
    expect(templateStamp(root)).not.toBe(added);

    expect(templateStamp(appRoot("b", "0.5.17"))).not.toBe(stamp);
  });

  it("is null without PGlite's package.json, and then no template is used", async () => {
    const root = appRoot("c");
    fs.rmSync(path.join(root, "node_modules"), { recursive: true });
    expect(templateStamp(root)).toBeNull();
    expect(templatePath(root)).toBeNull();
    expect(await restoreFromTemplate(path.join(tmp, "c-data"), root)).toBe(false);
    expect(fs.existsSync(path.join(tmp, "c-data"))).toBe(false);
  });

  it("lives in the build folder's cache (NEXT_DIST_DIR, default .next)", () => {
    const root = appRoot("d");
    const saved = process.env.NEXT_DIST_DIR;
    try {
      delete process.env.NEXT_DIST_DIR;
      expect(templateRoot(root)).toBe(path.join(root, ".next", "cache", "pglite-template"));
      process.env.NEXT_DIST_DIR = ".next-e2e";
      expect(templatePath(root)).toBe(path.join(root, ".next-e2e", "cache", "pglite-template", templateStamp(root)!));
    } finally {
      if (saved === undefined) delete process.env.NEXT_DIST_DIR;
      else process.env.NEXT_DIST_DIR = saved;
    }
  });

  it("a missing template restores nothing", async () => {
    const root = appRoot("e");
    expect(await restoreFromTemplate(path.join(tmp, "e-data"), root)).toBe(false);
    expect(fs.existsSync(path.join(tmp, "e-data"))).toBe(false);
  });
});

describe("pgliteFolder (server.mjs's early start)", () => {
  /** The folder lib/db/client.ts opens for this environment: `<DATA_DIR>/pglite` on PGlite, else none. */
  const opened = (env: Record<string, string | undefined>) => {
    const c = loadConfig(env);
    return c.DATABASE_URL || c.DATA_DIR.startsWith("memory://") ? null : path.resolve(c.DATA_DIR, "pglite");
  };

  it.each([
    {},
    { DATA_DIR: "/srv/tandem" },
    { DATA_DIR: "rel/dir" },
    { DATA_DIR: "memory://" },
    { DATABASE_URL: "postgres://u@h/db" },
    { DATABASE_URL: "  " },
    { DATABASE_URL: "", DATA_DIR: "/x" },
  ])("agrees with the configuration: %o", (env) => {
    expect(pgliteFolder(env)).toBe(opened(env));
  });
});
