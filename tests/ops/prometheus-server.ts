/**
 * A real Prometheus (Debian's `prometheus` binary) on a free loopback port, running the shipped configuration
 * (ops/prometheus) with its target, token file and intervals templated for a test.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROM_DIR } from "./promtool";

export type PrometheusServer = {
  url: string;
  dir: string;
  logs: () => string;
  /** GET /api/v1/<path> → the `data` of a success answer; throws with Prometheus' error otherwise. */
  api: <T = unknown>(apiPath: string, params?: Record<string, string>) => Promise<T>;
  query: (expr: string) => Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop: () => Promise<void>;
};

export type TemplateOptions = { target: string; token: string; scrapeInterval: string; evaluationInterval: string };
/** `flags`: extra command-line flags, e.g. `--enable-feature=exemplar-storage`. */
export type StartOptions = TemplateOptions & { flags?: string[] };

/** The shipped prometheus.yml with the target and intervals replaced; fails loudly if the shipped file changed shape. */
export function templateConfig(shipped: string, o: TemplateOptions): string {
  const replacements: [RegExp, string][] = [
    [/targets: \["localhost:3000"\]/, `targets: ["${o.target}"]`],
    [/scrape_interval: 15s/, `scrape_interval: ${o.scrapeInterval}`],
    [/scrape_timeout: 5s/, `scrape_timeout: ${o.scrapeInterval}`],
    [/evaluation_interval: 30s/, `evaluation_interval: ${o.evaluationInterval}`],
  ];
  let out = shipped;
  for (const [re, to] of replacements) {
    if (!re.test(out)) throw new Error(`ops/prometheus/prometheus.yml no longer contains ${re}`);
    out = out.replace(re, to);
  }
  return out;
}

export async function startPrometheus(bin: string, port: number, o: StartOptions): Promise<PrometheusServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-prometheus-"));
  fs.mkdirSync(path.join(dir, "rules"));
  for (const f of fs.readdirSync(path.join(PROM_DIR, "rules"))) {
    // A group's own `interval:` (the funnel's 1m) would outlast the test's waits: every group runs at the test's pace.
    const rules = fs.readFileSync(path.join(PROM_DIR, "rules", f), "utf8").replace(/^(\s+)interval: \S+$/gm, `$1interval: ${o.evaluationInterval}`);
    fs.writeFileSync(path.join(dir, "rules", f), rules);
  }
  fs.writeFileSync(path.join(dir, "tandem-token"), `${o.token}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, "prometheus.yml"), templateConfig(fs.readFileSync(path.join(PROM_DIR, "prometheus.yml"), "utf8"), o));
  const child = spawn(
    bin,
    [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=1h",
      "--log.level=warn",
      ...(o.flags ?? []),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let alive = true;
  void exited.then(() => (alive = false));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!alive) throw new Error(`prometheus exited during start-up:\n${output}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`prometheus not ready after 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  const api = async <T>(apiPath: string, params: Record<string, string> = {}): Promise<T> => {
    const res = await fetch(`${url}/api/v1/${apiPath}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as { status: string; data: T; error?: string; errorType?: string };
    if (body.status !== "success") throw new Error(`${apiPath} ${JSON.stringify(params)}: ${body.errorType}: ${body.error}`);
    return body.data;
  };
  return {
    url,
    dir,
    logs: () => output,
    api,
    query: async (expr) => (await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>("query", { query: expr })).result,
    stop: async () => {
      if (alive) child.kill("SIGTERM");
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
