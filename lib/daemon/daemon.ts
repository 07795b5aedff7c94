import { DaemonClient, type PendingRequest } from "./client";
import type { DaemonConfig, RuntimeConfig } from "./config";
import { runTask } from "./providers";

export const DAEMON_VERSION = "0.1.0";

type Log = (msg: string, ...rest: unknown[]) => void;
type Registered = { id: string; config: RuntimeConfig; busy: Promise<void> | null; abort: AbortController | null };

/**
 * The reference daemon: registers one runtime per configured provider, heartbeats (answering the pending
 * requests the heartbeat hands over), polls each idle runtime for a task, runs it and reports the result and
 * usage. `stop()` stops polling, lets running tasks finish within a grace period (else aborts them and reports
 * them failed as `runtime_offline`, which the server retries), then deregisters.
 */
export class Daemon {
  private readonly client: DaemonClient;
  private runtimes: Registered[] = [];
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private polling: Promise<void> | null = null;
  private pollAgain = false;

  constructor(
    private readonly config: DaemonConfig,
    options: { fetch?: typeof fetch; log?: Log } = {},
  ) {
    this.client = new DaemonClient(config.server_url, config.token, options.fetch, `tandem-daemon/${DAEMON_VERSION}`);
    this.log = options.log ?? ((msg, ...rest) => console.log(`[daemon] ${msg}`, ...rest));
  }

  private readonly log: Log;

  get runtimeIds(): string[] {
    return this.runtimes.map((r) => r.id);
  }

  async start(): Promise<void> {
    const registered = await this.client.register({
      workspace_id: this.config.workspace_id,
      daemon_id: this.config.daemon_id,
      device_name: this.config.device_name,
      cli_version: DAEMON_VERSION,
      runtimes: this.config.runtimes.map((r) => ({ name: r.name, provider: r.provider, version: r.version, status: "online" as const })),
    });
    this.runtimes = registered.map((r, i) => ({ id: r.id, config: this.config.runtimes[i]!, busy: null, abort: null }));
    this.log(`registered ${this.runtimes.map((r) => `${r.config.name} (${r.config.provider}) ${r.id}`).join(", ")}`);
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.config.heartbeat_ms);
    this.pollTimer = setInterval(() => void this.pollOnce(), this.config.poll_ms);
    void this.pollOnce();
  }

  /** One heartbeat; the pending requests it claims are answered right away. */
  async heartbeat(): Promise<void> {
    if (this.stopping || this.runtimes.length === 0) return;
    try {
      const pending = await this.client.heartbeat(this.runtimeIds);
      await Promise.all(pending.map((p) => this.answer(p)));
    } catch (err) {
      this.log(`heartbeat failed: ${(err as Error).message}`);
    }
  }

  private async answer(p: PendingRequest): Promise<void> {
    const rt = this.runtimes.find((r) => r.id === p.runtime_id);
    let outcome: { result: unknown } | { error: string };
    switch (p.kind) {
      case "ping":
        outcome = { result: { pong: true, at: new Date().toISOString(), version: DAEMON_VERSION } };
        break;
      case "list_models":
        outcome = { result: { models: rt?.config.models ?? [] } };
        break;
      case "list_skills":
        outcome = { result: { skills: rt?.config.skills ?? [], supported: true } };
        break;
      default:
        outcome = { error: `unsupported request kind ${p.kind}` };
    }
    // A 500 means the server could not store the answer: try once more, then give up (the request times out).
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        await this.client.requestResult(p.runtime_id, p.id, outcome);
        return;
      } catch (err) {
        this.log(`answering request ${p.id} failed (attempt ${attempt}): ${(err as Error).message}`);
      }
    }
  }

  /** Claims a task for every idle runtime (one task at a time per runtime). Resolves when the claims are made. */
  async pollOnce(): Promise<void> {
    if (this.stopping) return this.polling ?? undefined;
    // A poll asked for while one runs (a task may have arrived after that one claimed) runs once more right after it.
    if (this.polling) {
      this.pollAgain = true;
      return this.polling;
    }
    this.polling = (async () => {
      do {
        this.pollAgain = false;
        for (const rt of this.runtimes) {
          if (rt.busy || this.stopping) continue;
          try {
            const task = await this.client.claim(rt.id);
            if (!task) continue;
            const abort = new AbortController();
            rt.abort = abort;
            rt.busy = this.execute(rt, task.id, abort.signal, task).finally(() => {
              rt.busy = null;
              rt.abort = null;
            });
          } catch (err) {
            this.log(`claim on ${rt.config.name} failed: ${(err as Error).message}`);
          }
        }
      } while (this.pollAgain && !this.stopping);
    })().finally(() => (this.polling = null));
    return this.polling;
  }

  /** Resolves when no task is running (tests). */
  async idle(): Promise<void> {
    await this.polling;
    await Promise.all(this.runtimes.map((r) => r.busy));
  }

  private async execute(rt: Registered, taskId: string, signal: AbortSignal, task: Parameters<typeof runTask>[1]): Promise<void> {
    try {
      await this.client.start(taskId);
      await this.client.progress(taskId, `running on ${rt.config.name}`);
      const outcome = await runTask(rt.config, task, signal);
      if (outcome.usage.length > 0) await this.client.usage(taskId, outcome.usage);
      await this.client.complete(taskId, { output: outcome.output });
      this.log(`task ${taskId} completed`);
    } catch (err) {
      const message = (err as Error).message;
      this.log(`task ${taskId} failed: ${message}`);
      await this.client
        .fail(taskId, message, signal.aborted ? "runtime_offline" : undefined)
        .catch((e: Error) => this.log(`reporting the failure of ${taskId} failed: ${e.message}`));
    }
  }

  /** Graceful stop: no new claims, running tasks get `graceMs` to finish, then the runtimes go offline. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.polling;
    const running = Promise.all(this.runtimes.map((r) => r.busy));
    const timedOut = await Promise.race([running.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
    if (timedOut) {
      for (const r of this.runtimes) r.abort?.abort();
      await running;
    }
    if (this.runtimes.length > 0) {
      await this.client.deregister(this.runtimeIds).catch((e: Error) => this.log(`deregister failed: ${e.message}`));
    }
    this.log("stopped");
  }
}
