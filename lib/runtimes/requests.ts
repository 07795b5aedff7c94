import type { Membership } from "@/lib/auth";
import type { Db } from "@/lib/db";
import { forbidden, HttpError, notFound, unavailable } from "@/lib/http/errors";
import {
  getPendingRequestStore,
  pendingRequestResponse,
  type PendingRequestKind,
} from "@/lib/pending-requests";
import type { DaemonPrincipal } from "./auth";
import { getRuntime, loadRuntimesFor } from "./registry";

/** Claimed per runtime per heartbeat, so one busy runtime cannot make a heartbeat arbitrarily long. */
const MAX_CLAIMS_PER_HEARTBEAT = 10;

/**
 * The runtime, when the caller owns it. It runs on its owner's machine, so only they may ask it something or read
 * its answers, workspace admins included (integrations inventory §6.4): another workspace's runtime is a 404,
 * another member's a 403.
 */
async function ownRuntime(db: Db, m: Membership, runtimeId: string) {
  const runtime = await getRuntime(db, m.workspace.id, runtimeId);
  if (runtime.ownerId !== m.user.id) throw forbidden("insufficient permissions");
  return runtime;
}

/** The UI asks a runtime something; it waits as pending until the daemon's next heartbeat claims it. */
export async function createRuntimeRequest(
  db: Db,
  m: Membership,
  runtimeId: string,
  input: { kind: PendingRequestKind; params?: Record<string, unknown> },
) {
  const runtime = await ownRuntime(db, m, runtimeId);
  if (runtime.status !== "online") throw unavailable("runtime is offline");
  const store = await getPendingRequestStore();
  let created;
  try {
    created = await store.create({ runtimeId, kind: input.kind, params: input.params ?? null, creatorId: m.user.id });
  } catch (err) {
    console.error("runtime request: enqueue failed:", err); // the store's error stays in the log, not the response
    throw new HttpError(500, "failed to enqueue request");
  }
  return pendingRequestResponse(created);
}

export async function getRuntimeRequest(db: Db, m: Membership, runtimeId: string, requestId: string) {
  await ownRuntime(db, m, runtimeId);
  const store = await getPendingRequestStore();
  const r = await store.get(requestId);
  if (!r || r.runtimeId !== runtimeId) throw notFound("request not found");
  return pendingRequestResponse(r);
}

/**
 * The heartbeat's claim. A store failure is logged and skipped (reference): the heartbeat itself must not fail
 * because Redis hiccuped, and the claim script guarantees nothing was half-claimed.
 */
export async function claimPendingRequests(runtimeIds: string[]) {
  const store = await getPendingRequestStore();
  const out: { id: string; runtime_id: string; kind: PendingRequestKind; params: Record<string, unknown> | null }[] = [];
  for (const runtimeId of runtimeIds) {
    try {
      for (const r of await store.popPending(runtimeId, MAX_CLAIMS_PER_HEARTBEAT))
        out.push({ id: r.id, runtime_id: r.runtimeId, kind: r.kind, params: r.params });
    } catch (err) {
      console.error("heartbeat: claiming pending requests failed:", err);
    }
  }
  return out;
}

/**
 * The daemon's answer. An already finished request → 200 and nothing changes; a write that fails → 500
 * (never a 200 for a result that was not stored), so the daemon retries.
 */
export async function reportRequestResult(
  db: Db,
  who: DaemonPrincipal,
  runtimeId: string,
  requestId: string,
  input: { result?: unknown; error?: string },
) {
  await loadRuntimesFor(db, who, [runtimeId]);
  const store = await getPendingRequestStore();
  const r = await store.get(requestId);
  if (!r || r.runtimeId !== runtimeId) throw notFound("request not found");
  try {
    const outcome = input.error !== undefined ? await store.fail(requestId, input.error) : await store.complete(requestId, input.result ?? null);
    if (outcome === "not_found") throw notFound("request not found");
    return { status: "ok", stored: outcome === "stored" };
  } catch (err) {
    if (err instanceof HttpError) throw err;
    console.error("daemon result: persisting failed:", err);
    throw new HttpError(500, input.error !== undefined ? "failed to persist failure" : "failed to persist completion");
  }
}
