import { and, desc, eq, getTableColumns, inArray, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { accessTokens, runtimes } from "@/lib/db/schema";
import { conflict, HttpError, notFound } from "@/lib/http/errors";
import { events, recordEvent, withEvents } from "@/lib/telemetry";
import { assertDaemonWorkspace, ownerOf, type DaemonPrincipal } from "./auth";

export type Runtime = typeof runtimes.$inferSelect;

export type RegisterInput = {
  workspace_id: string;
  daemon_id: string;
  device_name: string;
  cli_version: string;
  runtimes: { name: string; provider: string; version: string; status: "online" | "offline" }[];
};

/**
 * Which runtimes a caller may drive (heartbeat, claim and run tasks, answer requests): with a personal token, the
 * ones that user registered with a personal token; with a daemon token, the ones that token registered — or whose
 * registering token has since been revoked, so a rotated token can take its daemon back. Never another member's.
 */
function drivenBy(who: DaemonPrincipal): SQL {
  if (who.kind === "user") return and(eq(runtimes.ownerId, who.userId), isNull(runtimes.registeredTokenId))!;
  return and(
    eq(runtimes.workspaceId, who.workspaceId),
    or(
      eq(runtimes.registeredTokenId, who.tokenId),
      sql`exists (select 1 from ${accessTokens} where ${accessTokens.id} = ${runtimes.registeredTokenId} and ${accessTokens.revokedAt} is not null)`,
    ),
  )!;
}

/**
 * A runtime nobody can drive any more: its personal-token owner's account is gone (owner_id set null), or the daemon
 * token that registered it no longer exists (deleted with its creator's account). Registering its daemon id again
 * from the workspace adopts it, instead of leaving it offline in the list for good.
 */
const abandoned = (): SQL =>
  or(
    and(isNull(runtimes.ownerId), isNull(runtimes.registeredTokenId)),
    and(isNotNull(runtimes.registeredTokenId), sql`not exists (select 1 from ${accessTokens} where ${accessTokens.id} = ${runtimes.registeredTokenId})`),
  )!;

export function runtimeResponse(r: Runtime) {
  return {
    id: r.id,
    name: r.name,
    provider: r.provider,
    status: r.status,
    version: r.version,
    daemon_id: r.daemonId,
    device_name: r.deviceName,
    runtime_mode: r.runtimeMode,
    owner_id: r.ownerId,
    last_seen_at: r.lastSeenAt.toISOString(),
    created_at: r.createdAt.toISOString(),
  };
}

const runtimeArgs = (r: Runtime) => ({
  workspaceId: r.workspaceId,
  ownerId: r.ownerId,
  runtimeId: r.id,
  daemonId: r.daemonId,
  provider: r.provider,
  runtimeMode: (r.runtimeMode === "cloud" ? "cloud" : "local") as "local" | "cloud",
});

/**
 * Upserts one runtime per (workspace, daemon, provider). `runtime_registered` fires only when the row was
 * inserted — PostgreSQL's `xmax = 0` on the RETURNING row is that signal (also on PGlite), so ten concurrent
 * registrations of one daemon emit it once. `runtime_ready` fires on the atomic first-online flip.
 */
export async function registerRuntimes(db: Db, who: DaemonPrincipal, input: RegisterInput) {
  await assertDaemonWorkspace(db, who, input.workspace_id);
  const ownerId = ownerOf(who);
  const out: Runtime[] = [];
  for (const rt of input.runtimes) {
    const online = rt.status !== "offline";
    let row: Runtime & { inserted: boolean };
    try {
      row = await withEvents(db, async (tx) => {
        const [r] = await tx
          .insert(runtimes)
          .values({
            workspaceId: input.workspace_id,
            daemonId: input.daemon_id,
            provider: rt.provider,
            name: rt.name,
            version: rt.version,
            cliVersion: input.cli_version,
            deviceName: input.device_name,
            status: online ? "online" : "offline",
            ownerId,
            registeredTokenId: who.kind === "daemon" ? who.tokenId : null,
            firstOnlineAt: online ? sql`now()` : null,
          })
          .onConflictDoUpdate({
            target: [runtimes.workspaceId, runtimes.daemonId, runtimes.provider],
            set: {
              name: rt.name,
              version: rt.version,
              cliVersion: input.cli_version,
              deviceName: input.device_name,
              status: online ? "online" : "offline",
              lastSeenAt: sql`now()`,
              ...(who.kind === "daemon" ? { registeredTokenId: who.tokenId, ownerId } : { registeredTokenId: null, ownerId }),
            },
            // Re-registering is only for whoever may drive the existing row (or adopt an abandoned one): a daemon
            // id is visible to every member, so an unconditional upsert would hand someone else's machine to the caller.
            setWhere: or(drivenBy(who), abandoned()),
          })
          .returning({ ...getTableColumns(runtimes), inserted: sql<boolean>`(xmax = 0)` });
        if (!r) throw conflict(`daemon ${input.daemon_id} (${rt.provider}) is registered by someone else in this workspace`);
        if (r.inserted) {
          recordEvent(events.runtimeRegistered({ ...runtimeArgs(r), runtimeVersion: r.version, cliVersion: r.cliVersion }), tx);
          if (online) recordEvent(events.runtimeReady({ ...runtimeArgs(r), readyDurationMs: 0 }), tx);
        }
        return r;
      });
    } catch (err) {
      if (err instanceof HttpError) throw err;
      await recordEvent(
        events.runtimeFailed({
          workspaceId: input.workspace_id,
          ownerId,
          daemonId: input.daemon_id,
          provider: rt.provider,
          runtimeMode: "local",
          failureReason: "registration_failed",
          errorType: "db_error",
          recoverable: true,
        }),
      );
      throw err;
    }
    const { inserted, ...runtime } = row;
    if (!inserted && online) await markFirstOnline(db, runtime.id);
    out.push(runtime);
  }
  return { runtimes: out.map((r) => ({ id: r.id, name: r.name, provider: r.provider, status: r.status })) };
}

/** A runtime registered offline reports online for the first time: `runtime_ready` with register → online. */
async function markFirstOnline(db: Db, runtimeId: string): Promise<void> {
  await withEvents(db, async (tx) => {
    const [r] = await tx
      .update(runtimes)
      .set({ firstOnlineAt: sql`now()` })
      .where(and(eq(runtimes.id, runtimeId), isNull(runtimes.firstOnlineAt)))
      .returning();
    if (!r) return;
    const readyMs = Math.max(0, r.firstOnlineAt!.getTime() - r.createdAt.getTime());
    recordEvent(events.runtimeReady({ ...runtimeArgs(r), readyDurationMs: readyMs }), tx);
  });
}

/** Runtimes by id that the caller may drive; any other id (absent or another workspace's) → 404, nothing changed. */
export async function loadRuntimesFor(db: Db, who: DaemonPrincipal, ids: string[]): Promise<Runtime[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const rows = await db
    .select()
    .from(runtimes)
    .where(and(inArray(runtimes.id, unique), drivenBy(who)));
  if (rows.length !== unique.length) throw notFound("runtime not found");
  const workspaces = [...new Set(rows.map((r) => r.workspaceId))];
  for (const w of workspaces) await assertDaemonWorkspace(db, who, w).catch(() => Promise.reject(notFound("runtime not found")));
  return rows;
}

/** Marks the runtimes seen (and online again after a stale sweep). */
export async function heartbeatRuntimes(db: Db, who: DaemonPrincipal, ids: string[]): Promise<Runtime[]> {
  const rows = await loadRuntimesFor(db, who, ids);
  if (rows.length === 0) return [];
  await db
    .update(runtimes)
    .set({ lastSeenAt: sql`now()`, status: "online" })
    .where(inArray(runtimes.id, rows.map((r) => r.id)));
  for (const r of rows) if (!r.firstOnlineAt) await markFirstOnline(db, r.id);
  return rows;
}

/** Sets the runtimes offline; `runtime_offline` for each one that was online (the UPDATE decides, so once). */
export async function deregisterRuntimes(db: Db, who: DaemonPrincipal, ids: string[]): Promise<void> {
  const rows = await loadRuntimesFor(db, who, ids);
  if (rows.length === 0) return;
  await withEvents(db, async (tx) => {
    const changed = await tx
      .update(runtimes)
      .set({ status: "offline" })
      .where(and(inArray(runtimes.id, rows.map((r) => r.id)), eq(runtimes.status, "online")))
      .returning();
    for (const r of changed) recordEvent(events.runtimeOffline(runtimeArgs(r)), tx);
  });
}

/** The stale-runtime sweep: one UPDATE ... RETURNING, so with several nodes each runtime goes offline once. */
export async function markStaleRuntimesOffline(db: Db, staleSeconds: number): Promise<Runtime[]> {
  return withEvents(db, async (tx) => {
    const changed = await tx
      .update(runtimes)
      .set({ status: "offline" })
      .where(and(eq(runtimes.status, "online"), sql`${runtimes.lastSeenAt} < now() - make_interval(secs => ${staleSeconds})`))
      .returning();
    for (const r of changed) recordEvent(events.runtimeOffline(runtimeArgs(r)), tx);
    return changed;
  });
}

export async function listRuntimes(db: Db, workspaceId: string) {
  const rows = await db.select().from(runtimes).where(eq(runtimes.workspaceId, workspaceId)).orderBy(desc(runtimes.lastSeenAt));
  return rows.map(runtimeResponse);
}

/** A runtime of this workspace, else 404. */
export async function getRuntime(db: Db, workspaceId: string, id: string): Promise<Runtime> {
  const [r] = await db
    .select()
    .from(runtimes)
    .where(and(eq(runtimes.id, id), eq(runtimes.workspaceId, workspaceId)));
  if (!r) throw notFound("runtime not found");
  return r;
}
