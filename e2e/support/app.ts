/**
 * Starts the production server (server.mjs) on a free port with its own data directory, and reads its log:
 * without SMTP the login code is printed there, exactly as a self-hosting person would read it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { E2E_DIST_DIR, ROOT } from "./paths";

export type App = {
  baseUrl: string;
  port: number;
  dataDir: string;
  logs: () => string;
  codeFor: (email: string) => Promise<string>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  exited: Promise<number | null>;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && (v as unknown) !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startApp(opts: { env?: Record<string, string | undefined>; dataDir?: string; port?: number } = {}): Promise<App> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "tandem-e2e-"));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({
    ...process.env,
    NEXT_DIST_DIR: E2E_DIST_DIR,
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    POSTHOG_API_KEY: undefined,
    POSTHOG_HOST: undefined,
    METRICS_TOKEN: undefined,
    ...opts.env,
  })) {
    if (v !== undefined) env[k] = v;
  }
  const child: ChildProcess = spawn(process.execPath, ["server.mjs"], { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;

  let alive = true;
  void exited.then(() => (alive = false));
  await waitFor(
    async () => {
      if (!alive) throw new Error(`server exited during start-up:\n${output}`);
      try {
        const res = await fetch(`${baseUrl}/api/health`);
        return res.status === 200 ? true : undefined;
      } catch {
        return undefined;
      }
    },
    60_000,
    `server on ${baseUrl}`,
  );

  return {
    baseUrl,
    port,
    dataDir,
    logs: () => output,
    exited,
    codeFor: (email) =>
      waitFor(() => {
        const matches = [...output.matchAll(/\[mail\] to=(\S+) [^\n]*\n[^\n]*code is (\d{6})/g)].filter((m) => m[1] === email);
        return matches.at(-1)?.[2];
      }, 10_000, `login code for ${email}`),
    stop: async (signal = "SIGTERM") => {
      if (alive) child.kill(signal);
      return exited;
    },
  };
}
