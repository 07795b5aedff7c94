import { eq } from "drizzle-orm";
import { deadlineSignal } from "@/lib/ops/deadline";
import { sha256 } from "@/lib/auth/crypto";
import type { User } from "@/lib/auth/users";
import { config } from "@/lib/config";
import type { Db } from "@/lib/db";
import { users } from "@/lib/db/schema";
import { getStore } from "@/lib/store";
import { fleetServiceHeaders } from "./fleet";
import { isUuid, trimTrailingSlashes } from "@/lib/http/text";

/**
 * Cloud-node tokens `tcn_...` (integrations inventory §4): minted by the cloud when it provisions a node and verified
 * by the fleet. A success is cached for 60 s in the shared store under the token's SHA-256 (so every node sees it
 * and no plaintext is stored); failures are never cached. Without a fleet the tokens fail closed (401).
 */
export const CLOUD_NODE_TOKEN_PREFIX = "tcn_";
export const CLOUD_NODE_CACHE_TTL_MS = 60_000;
const VERIFY_TIMEOUT_MS = 5_000;
const VERIFY_RESPONSE_LIMIT = 64 * 1024;

export type CloudNodeIdentity = { user: User; instanceId: string; instanceRecordId: string };

/** `invalid` → 401 (the reason is logged, never returned); `unavailable` → 503. */
export class CloudNodeTokenError extends Error {
  constructor(
    readonly kind: "invalid" | "unavailable",
    readonly reason: string,
  ) {
    super(`cloud node token ${kind}: ${reason}`);
  }
}

export const cloudNodeCacheKey = (token: string) => `auth:tcn:${sha256(token)}`;

type Cached = { o: string; i: string; r: string };

async function cacheGet(key: string): Promise<Cached | null> {
  try {
    const raw = await (await getStore()).get(key);
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<Cached>;
    return typeof v.o === "string" && v.o ? { o: v.o, i: String(v.i ?? ""), r: String(v.r ?? "") } : null;
  } catch {
    return null; // a broken store or entry is a miss: the fleet decides
  }
}

async function cacheSet(key: string, v: Cached): Promise<void> {
  try {
    await (await getStore()).set(key, JSON.stringify(v), CLOUD_NODE_CACHE_TTL_MS);
  } catch (err) {
    console.error(`[cloud-node-token] cache write failed: ${(err as Error).message}`);
  }
}

async function ownerOf(db: Db, id: string): Promise<User | null> {
  if (!isUuid(id)) return null;
  try {
    const [u] = await db.select().from(users).where(eq(users.id, id));
    return u ?? null;
  } catch {
    throw new CloudNodeTokenError("unavailable", "owner lookup failed");
  }
}

async function askFleet(base: string, token: string): Promise<Cached> {
  let res: Response;
  let text: string;
  const deadline = deadlineSignal(VERIFY_TIMEOUT_MS);
  try {
    res = await fetch(`${base}/api/v1/pat/verify`, {
      method: "POST",
      headers: { ...fleetServiceHeaders(), "content-type": "application/json" },
      body: JSON.stringify({ token }),
      redirect: "manual",
      signal: deadline.signal,
    });
    text = await res.text();
  } catch (err) {
    throw new CloudNodeTokenError("unavailable", `fleet unreachable: ${(err as Error).name}`);
  } finally {
    deadline.clear();
  }
  if (res.status !== 200) throw new CloudNodeTokenError("unavailable", `fleet answered ${res.status}`);
  if (text.length > VERIFY_RESPONSE_LIMIT) throw new CloudNodeTokenError("unavailable", "fleet answer too large");
  let body: { valid?: unknown; reason?: unknown; owner_id?: unknown; instance_id?: unknown; instance_record_id?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    throw new CloudNodeTokenError("unavailable", "fleet answer is not JSON");
  }
  if (body?.valid !== true) throw new CloudNodeTokenError("invalid", typeof body?.reason === "string" ? body.reason.slice(0, 64) : "invalid");
  // valid without an owner: fail closed (the fleet is confused, not the caller).
  if (typeof body.owner_id !== "string" || body.owner_id === "") throw new CloudNodeTokenError("unavailable", "fleet answer has no owner_id");
  return { o: body.owner_id, i: String(body.instance_id ?? ""), r: String(body.instance_record_id ?? "") };
}

/** Verifies a `tcn_` token: cache, else the fleet plus a local owner check. Throws CloudNodeTokenError. */
export async function verifyCloudNodeToken(db: Db, token: string): Promise<CloudNodeIdentity> {
  const fleetUrl = config().CLOUD_FLEET_URL?.trim();
  const base = fleetUrl === undefined ? undefined : trimTrailingSlashes(fleetUrl);
  if (!base) throw new CloudNodeTokenError("invalid", "not_configured");
  if (token.length <= CLOUD_NODE_TOKEN_PREFIX.length || token.length > 512) throw new CloudNodeTokenError("invalid", "format_invalid");
  const key = cloudNodeCacheKey(token);
  const hit = await cacheGet(key);
  if (hit) {
    // The owner row is still read (a primary-key lookup): a principal is a user, and a deleted user stops at once.
    const user = await ownerOf(db, hit.o);
    if (user) return { user, instanceId: hit.i, instanceRecordId: hit.r };
  }
  const identity = await askFleet(base, token);
  const user = await ownerOf(db, identity.o);
  if (!user) throw new CloudNodeTokenError("invalid", "owner_unknown");
  await cacheSet(key, identity);
  return { user, instanceId: identity.i, instanceRecordId: identity.r };
}
