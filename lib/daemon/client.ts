/** HTTP client of the daemon API (API.md "Daemon API"); `fetch` is injectable so tests can run in-process. */
export class DaemonHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type ClaimedTask = {
  id: string;
  prompt: string;
  attempt: number;
  agent: { id: string; name: string; instructions: string } | null;
  issue: { id: string; identifier: string; title: string; description: string } | null;
};

export type PendingRequest = { id: string; runtime_id: string; kind: string; params: Record<string, unknown> | null };

export type Usage = { model: string; provider?: string; input_tokens?: number; output_tokens?: number; cache_read_tokens?: number; cache_write_tokens?: number };

export class DaemonClient {
  constructor(
    private readonly serverUrl: string,
    private readonly token: string,
    private readonly fetchFn: typeof fetch = fetch,
    private readonly version = "tandem-daemon/0.1",
  ) {}

  private async post<T>(path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await this.fetchFn(new URL(path, this.serverUrl), {
      method: "POST",
      headers: {
        authorization: `Bearer ${this.token}`,
        "content-type": "application/json",
        "x-client-platform": "cli",
        "x-client-version": this.version,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    const data = text ? JSON.parse(text) : null;
    if (!res.ok) throw new DaemonHttpError(res.status, `${path}: ${res.status} ${data?.error ?? text}`);
    return { status: res.status, body: data as T };
  }

  async register(input: { workspace_id: string; daemon_id: string; device_name: string; cli_version: string; runtimes: { name: string; provider: string; version: string; status: "online" | "offline" }[] }) {
    return (await this.post<{ runtimes: { id: string; name: string; provider: string; status: string }[] }>("/api/daemon/register", input)).body.runtimes;
  }

  async heartbeat(runtimeIds: string[]) {
    return (await this.post<{ pending_requests: PendingRequest[] }>("/api/daemon/heartbeat", { runtime_ids: runtimeIds })).body.pending_requests;
  }

  async deregister(runtimeIds: string[]) {
    await this.post("/api/daemon/deregister", { runtime_ids: runtimeIds });
  }

  /** The next queued task of the runtime, or null (204). */
  async claim(runtimeId: string): Promise<ClaimedTask | null> {
    const res = await this.post<{ task: ClaimedTask } | null>(`/api/daemon/runtimes/${runtimeId}/tasks/claim`);
    return res.status === 204 || !res.body ? null : res.body.task;
  }

  async start(taskId: string) {
    await this.post(`/api/daemon/tasks/${taskId}/start`);
  }

  async progress(taskId: string, summary: string) {
    await this.post(`/api/daemon/tasks/${taskId}/progress`, { summary });
  }

  async messages(taskId: string, contents: string[]) {
    await this.post(`/api/daemon/tasks/${taskId}/messages`, { messages: contents.map((content) => ({ content })) });
  }

  async complete(taskId: string, result: unknown) {
    await this.post(`/api/daemon/tasks/${taskId}/complete`, { result });
  }

  async fail(taskId: string, error: string, failureReason?: string) {
    await this.post(`/api/daemon/tasks/${taskId}/fail`, { error, ...(failureReason ? { failure_reason: failureReason } : {}) });
  }

  async usage(taskId: string, usage: Usage[]) {
    await this.post(`/api/daemon/tasks/${taskId}/usage`, { usage });
  }

  async requestResult(runtimeId: string, requestId: string, outcome: { result: unknown } | { error: string }) {
    await this.post(`/api/daemon/runtimes/${runtimeId}/requests/${requestId}/result`, outcome);
  }
}
