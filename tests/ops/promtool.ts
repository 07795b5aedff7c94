/**
 * Finding promtool / prometheus (Debian's `prometheus` package; `ops/install-prometheus.sh` installs it). Outside CI
 * a machine without it skips these tests with a message; in CI (`CI=true`) a missing binary is a failure.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const PROM_DIR = path.join(ROOT, "ops/prometheus");

export function which(bin: string): string | undefined {
  const r = spawnSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

export const inCI = ["true", "1"].includes((process.env.CI ?? "").toLowerCase());

/** The binary's path; undefined (and a warning) when it is missing outside CI; throws when it is missing in CI. */
export function requireBinary(bin: "promtool" | "prometheus"): string | undefined {
  const found = which(bin);
  if (found) return found;
  const msg = `${bin} not found: install Debian's prometheus package (bash ops/install-prometheus.sh)`;
  if (inCI) throw new Error(`${msg} — required in CI`);
  console.warn(`SKIPPED: ${msg}`);
  return undefined;
}

export function run(bin: string, args: string[], opts: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(bin, args, { cwd: opts.cwd ?? PROM_DIR, encoding: "utf8", input: opts.input, timeout: 120_000 });
  return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}
