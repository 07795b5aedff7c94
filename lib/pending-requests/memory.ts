import {
  newPendingRequest,
  applyTimeouts,
  DEFAULT_TIMEOUTS,
  isTerminal,
  type CreateInput,
  type FinishOutcome,
  type PendingRequest,
  type PendingRequestStore,
  type Timeouts,
} from "./types";

/** Single-node store: a map. Every method runs without an await in between, so it is atomic within the process. */
export class MemoryPendingRequestStore implements PendingRequestStore {
  readonly kind = "memory" as const;
  private readonly records = new Map<string, PendingRequest>();

  constructor(
    private readonly timeouts: Timeouts = DEFAULT_TIMEOUTS,
    private readonly now: () => number = Date.now,
  ) {}

  private live(id: string): PendingRequest | null {
    const r = this.records.get(id);
    if (!r) return null;
    const now = this.now();
    if (now - r.createdAt > this.timeouts.retentionMs) {
      this.records.delete(id);
      return null;
    }
    applyTimeouts(r, this.timeouts, now);
    return r;
  }

  async create(input: CreateInput): Promise<PendingRequest> {
    const now = this.now();
    for (const id of [...this.records.keys()]) this.live(id); // sweeps records past retention
    const r = newPendingRequest(input, now);
    this.records.set(r.id, r);
    return structuredClone(r);
  }

  async get(id: string) {
    const r = this.live(id);
    return r ? structuredClone(r) : null;
  }

  async popPending(runtimeId: string, limit = 1) {
    const candidates = [...this.records.keys()]
      .map((id) => this.live(id))
      .filter((r): r is PendingRequest => r !== null && r.runtimeId === runtimeId && r.status === "pending")
      .sort((a, b) => a.createdAt - b.createdAt)
      .slice(0, limit);
    const now = this.now();
    for (const r of candidates) {
      r.status = "running";
      r.runStartedAt = now;
      r.updatedAt = now;
    }
    return candidates.map((r) => structuredClone(r));
  }

  private finish(id: string, apply: (r: PendingRequest) => void): FinishOutcome {
    const r = this.live(id);
    if (!r) return "not_found";
    if (isTerminal(r.status)) return "ignored";
    apply(r);
    r.updatedAt = this.now();
    return "stored";
  }

  async complete(id: string, result: unknown) {
    return this.finish(id, (r) => {
      r.status = "completed";
      r.result = structuredClone(result ?? null);
    });
  }

  async fail(id: string, error: string) {
    return this.finish(id, (r) => {
      r.status = "failed";
      r.error = error;
    });
  }
}
