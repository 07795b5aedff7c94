import { randomBytes } from "node:crypto";
/**
 * Pending runtime requests (reference §6, the local-skill list/import stores): the UI asks a runtime for
 * something, the request waits as `pending`, the daemon's next heartbeat claims it (`running`), the daemon posts
 * the result (`completed` | `failed`), the UI polls it. Timeouts are applied lazily on read.
 */
export const PENDING_REQUEST_KINDS = ["list_skills", "list_models", "ping"] as const;
export type PendingRequestKind = (typeof PENDING_REQUEST_KINDS)[number];
export type PendingRequestStatus = "pending" | "running" | "completed" | "failed" | "timeout";

export type PendingRequest = {
  id: string;
  runtimeId: string;
  kind: PendingRequestKind;
  params: Record<string, unknown> | null;
  /** Who asked (not exposed). */
  creatorId: string | null;
  status: PendingRequestStatus;
  result: unknown;
  error: string | null;
  /** Unix milliseconds. */
  createdAt: number;
  updatedAt: number;
  /** When the daemon claimed it (not exposed; kept through Redis, unlike the reference's list store). */
  runStartedAt: number | null;
};

export type CreateInput = { runtimeId: string; kind: PendingRequestKind; params?: Record<string, unknown> | null; creatorId?: string | null };

/** `stored`: written; `ignored`: already terminal (the report changes nothing); `not_found`: unknown or expired. */
export type FinishOutcome = "stored" | "ignored" | "not_found";

export interface PendingRequestStore {
  readonly kind: "memory" | "redis";
  create(input: CreateInput): Promise<PendingRequest>;
  /** The request with timeouts applied; null when unknown or past retention. */
  get(id: string): Promise<PendingRequest | null>;
  /** Claims up to `limit` of the runtime's oldest pending requests; concurrent callers never get the same one. */
  popPending(runtimeId: string, limit?: number): Promise<PendingRequest[]>;
  complete(id: string, result: unknown): Promise<FinishOutcome>;
  fail(id: string, error: string): Promise<FinishOutcome>;
}

export type Timeouts = {
  /** pending longer than this → timeout ("daemon did not respond ..."). */
  pendingMs: number;
  /** running longer than this after the claim → timeout. */
  runningMs: number;
  /** How long a record is kept at all. */
  retentionMs: number;
};

/** The reference's values at 9c9afd4a66 (local skills): pending 3 min, running 60 s, retention 5 min. */
export const DEFAULT_TIMEOUTS: Timeouts = { pendingMs: 180_000, runningMs: 60_000, retentionMs: 300_000 };

/** A fresh pending record (both stores create them the same way). */
export function newPendingRequest(input: CreateInput, now: number): PendingRequest {
  return {
    id: randomBytes(16).toString("hex"),
    runtimeId: input.runtimeId,
    kind: input.kind,
    params: input.params ?? null,
    creatorId: input.creatorId ?? null,
    status: "pending",
    result: null,
    error: null,
    createdAt: now,
    updatedAt: now,
    runStartedAt: null,
  };
}

export const isTerminal = (s: PendingRequestStatus) => s === "completed" || s === "failed" || s === "timeout";

/** Applies the lazy timeouts; returns true when the record changed. */
export function applyTimeouts(r: PendingRequest, t: Timeouts, now: number): boolean {
  if (r.status === "pending" && now - r.createdAt > t.pendingMs) {
    r.status = "timeout";
    r.error = `daemon did not respond within ${Math.round(t.pendingMs / 1000)} seconds`;
    r.updatedAt = now;
    return true;
  }
  if (r.status === "running" && r.runStartedAt !== null && now - r.runStartedAt > t.runningMs) {
    r.status = "timeout";
    r.error = `daemon did not finish within ${Math.round(t.runningMs / 1000)} seconds`;
    r.updatedAt = now;
    return true;
  }
  return false;
}

export function pendingRequestResponse(r: PendingRequest) {
  return {
    id: r.id,
    runtime_id: r.runtimeId,
    kind: r.kind,
    params: r.params,
    status: r.status,
    result: r.result ?? null,
    error: r.error,
    created_at: new Date(r.createdAt).toISOString(),
    updated_at: new Date(r.updatedAt).toISOString(),
  };
}
