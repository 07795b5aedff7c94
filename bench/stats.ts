/**
 * Small helpers shared by the benches: medians of interleaved rounds, machine load, a calibration loop, a process's
 * CPU time, the event route's form, and source-map lookups for profiles of the minified build.
 */
import fs from "node:fs";
import { SourceMap } from "node:module";
import os from "node:os";
import { fileURLToPath } from "node:url";
import postgres from "postgres";

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

export const loadavg = () => os.loadavg().map((l) => l.toFixed(1)).join(" / ");

export const machine = () => `${os.cpus()[0]?.model ?? "unknown"} × ${os.cpus().length}, Node ${process.version}`;

/**
 * A fixed CPU workload (integer hashing, no allocation), in ms. Run once per round next to the measured code: how
 * long it takes says how much CPU the round got on this shared machine (the same code on an idle core: ~4 ms).
 */
export function calibrate(): number {
  const t = process.hrtime.bigint();
  let x = 0;
  for (let i = 0; i < 5_000_000; i++) x = (x + Math.imul(i ^ x, 2654435761)) | 0;
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (x === 42) console.log(""); // keeps the loop from being optimised away
  return ms;
}

/** CPU time (user + system) of a process in ms, from /proc (clock ticks of 10 ms). */
export function processCpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14, 15 of stat(5))
}

/** The contact-sales form the event-route benches post (POST /api/contact-sales). */
export const CONTACT_SALES_FORM = {
  first_name: "Ada",
  last_name: "Lovelace",
  business_email: "ada@analytical-engines.example",
  company_name: "Analytical Engines",
  company_size: "11-50",
  country_region: "UK",
  use_case: "evaluate",
  goals: "benchmarking",
};

const sourceMaps = new Map<string, SourceMap | null>();

/**
 * Where a frame of a profile (a `file://` URL, 0-based line and column) comes from, through the file's source map
 * (node:module's SourceMap; the build is minified); undefined without a map or a mapping.
 */
export function originalPosition(url: string, line: number, column: number): { source: string; line: number; name?: string } | undefined {
  if (!url.startsWith("file://")) return undefined;
  const file = fileURLToPath(url);
  let map = sourceMaps.get(file);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, "utf8")));
    } catch {
      map = null;
    }
    sourceMaps.set(file, map);
  }
  const e = map?.findEntry(line, column) as { originalSource?: string; originalLine?: number; name?: string } | undefined;
  return e?.originalSource ? { source: e.originalSource, line: (e.originalLine ?? 0) + 1, name: e.name } : undefined;
}

const PG_ADMIN = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A connection to the admin database, kept open by the caller (and ended by it). */
export const adminConnection = () => postgres(PG_ADMIN, { max: 1, onnotice: () => {} });

async function withAdmin<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = adminConnection();
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

/** A throwaway PostgreSQL database for one bench server (BENCH_PG_URL: the admin connection). */
export async function createBenchDatabase(prefix = "tandem_bench"): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${Math.random().toString(16).slice(2, 10)}`;
  await withAdmin((sql) => sql.unsafe(`create database ${name}`));
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

export const dropBenchDatabase = (name: string) => withAdmin((sql) => sql.unsafe(`drop database if exists ${name} with (force)`));
