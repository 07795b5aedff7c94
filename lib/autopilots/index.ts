import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Membership, Role } from "@/lib/auth";
import { isUuid } from "@/lib/auth";
import type { Db, Tx } from "@/lib/db";
import { agents, autopilotRuns, autopilotTriggers, autopilots, squads } from "@/lib/db/schema";
import { badRequest, forbidden, notFound } from "@/lib/http/errors";
import { events, recordEvent, withEvents } from "@/lib/telemetry";
import { cadenceOf, nextRunAfter, scheduleError } from "./cadence";
import { dispatchAutopilot, type DispatchOutcome, type Trigger } from "./dispatch";
import { failStartedRuns, type Autopilot, type AutopilotRun } from "./runs";
import { cancelRunOnlyTasks } from "@/lib/tasks";
import { mintWebhookToken, WEBHOOK_PATH_PREFIX } from "./webhook";
import type { EventFilter } from "./envelope";

export { finishAutopilotRun } from "./runs";
export { dispatchAutopilot } from "./dispatch";
export { startAutopilotScheduler, stopAutopilotScheduler, runDueSchedules } from "./scheduler";
export { cadenceOf } from "./cadence";
export { listDeliveries, getDelivery, replayDelivery } from "./deliveries";

export type TriggerInput =
  | { kind: "manual"; enabled?: boolean }
  | { kind: "schedule"; cron: string; timezone?: string; enabled?: boolean }
  | { kind: "webhook"; enabled?: boolean; provider?: "generic" | "github"; event_filters?: EventFilter[] | null; signing_secret?: string };

export type AutopilotInput = {
  name: string;
  assigneeType: "agent" | "squad";
  assigneeId: string;
  executionMode: "create_issue" | "run_only";
  prompt: string;
  enabled?: boolean;
  triggers?: TriggerInput[];
};

const canModerate = (role: Role) => role === "owner" || role === "admin";

/** `webhookToken` only in the response that created it: the secret is never stored or shown again. */
function triggerResponse(t: Trigger, webhookToken?: string) {
  return {
    id: t.id,
    kind: t.kind,
    cron: t.cron,
    timezone: t.timezone,
    cadence: t.cadence,
    enabled: t.enabled,
    next_run_at: t.nextRunAt?.toISOString() ?? null,
    last_fired_at: t.lastFiredAt?.toISOString() ?? null,
    created_at: t.createdAt.toISOString(),
    ...(t.kind === "webhook"
      ? {
          provider: t.provider,
          event_filters: t.eventFilters ?? null,
          // The secret itself is never returned: whether there is one, and its last four characters.
          has_signing_secret: Boolean(t.signingSecret),
          signing_secret_hint: t.signingSecret ? t.signingSecret.slice(-4) : null,
        }
      : {}),
    ...(webhookToken ? { webhook_token: webhookToken, webhook_path: `${WEBHOOK_PATH_PREFIX}${webhookToken}` } : {}),
  };
}

function autopilotResponse(a: Autopilot, triggers: Trigger[], tokens = new Map<string, string>()) {
  return {
    id: a.id,
    name: a.name,
    assignee_type: a.assigneeType,
    assignee_id: a.assigneeId,
    execution_mode: a.executionMode,
    prompt: a.prompt,
    enabled: a.enabled,
    created_by: a.createdBy,
    created_at: a.createdAt.toISOString(),
    triggers: triggers.map((t) => triggerResponse(t, tokens.get(t.id))),
  };
}

export function runResponse(r: AutopilotRun) {
  return {
    id: r.id,
    autopilot_id: r.autopilotId,
    trigger_id: r.triggerId,
    trigger_kind: r.triggerKind,
    cadence: r.cadence,
    status: r.status,
    skip_reason: r.skipReason,
    failure_reason: r.failureReason,
    issue_id: r.issueId,
    task_id: r.taskId,
    scheduled_for: r.scheduledFor?.toISOString() ?? null,
    created_at: r.createdAt.toISOString(),
    completed_at: r.completedAt?.toISOString() ?? null,
  };
}

async function assertAssignee(db: Db | Tx, workspaceId: string, type: "agent" | "squad", id: string) {
  if (!isUuid(id)) throw badRequest("assignee_id: not found in this workspace");
  const rows =
    type === "agent"
      ? await db.select({ id: agents.id }).from(agents).where(and(eq(agents.id, id), eq(agents.workspaceId, workspaceId), isNull(agents.archivedAt)))
      : await db.select({ id: squads.id }).from(squads).where(and(eq(squads.id, id), eq(squads.workspaceId, workspaceId)));
  if (rows.length === 0) throw badRequest(`assignee_id: no active ${type} with this id in this workspace`);
}

/** A schedule as stored (cron, time zone, cadence, next slot), or what is wrong with it (`scheduleError`'s message). */
function scheduleValues(cron: string, timezone: string, now: Date) {
  const error = scheduleError(cron, timezone);
  if (error) return { error };
  return { values: { cron: cron.trim(), timezone, cadence: cadenceOf(cron, timezone, now), nextRunAt: nextRunAfter(cron, timezone, now) } };
}

/** Validates a trigger and computes what is stored: cadence, next slot, webhook secret hash. */
function triggerValues(autopilotId: string, t: TriggerInput, now: Date) {
  const id = crypto.randomUUID();
  const base = { id, autopilotId, kind: t.kind, enabled: t.enabled ?? true };
  if (t.kind === "schedule") {
    const schedule = scheduleValues(t.cron, t.timezone ?? "UTC", now);
    if (schedule.error) throw badRequest(`triggers.${schedule.error}`);
    return { row: { ...base, ...schedule.values } };
  }
  if (t.kind === "webhook") {
    const { token, secretHash } = mintWebhookToken(id);
    return {
      row: {
        ...base,
        cadence: "webhook",
        webhookSecretHash: secretHash,
        provider: t.provider ?? "generic",
        eventFilters: t.event_filters?.length ? t.event_filters : null,
        signingSecret: t.signing_secret || null,
      },
      token,
    };
  }
  return { row: { ...base, cadence: "manual" } };
}

/** The trigger the `autopilot_created` labels describe: a schedule first, then a webhook, else manual. */
function primaryTrigger(triggers: Trigger[]): { cadence: string; kind: string } {
  const t = triggers.find((x) => x.kind === "schedule") ?? triggers.find((x) => x.kind === "webhook");
  return t ? { cadence: t.cadence, kind: t.kind } : { cadence: "manual", kind: "manual" };
}

export async function createAutopilot(db: Db, m: Membership, input: AutopilotInput) {
  const now = new Date();
  const { ap, triggers, tokens } = await withEvents(db, async (tx) => {
    await assertAssignee(tx, m.workspace.id, input.assigneeType, input.assigneeId);
    const [ap] = await tx
      .insert(autopilots)
      .values({
        workspaceId: m.workspace.id,
        name: input.name,
        assigneeType: input.assigneeType,
        assigneeId: input.assigneeId,
        executionMode: input.executionMode,
        prompt: input.prompt,
        enabled: input.enabled ?? true,
        createdBy: m.user.id,
      })
      .returning();
    const prepared = (input.triggers ?? []).map((t) => triggerValues(ap!.id, t, now));
    const triggers = prepared.length ? await tx.insert(autopilotTriggers).values(prepared.map((p) => p.row)).returning() : [];
    const tokens = new Map(prepared.filter((p) => p.token).map((p) => [p.row.id, p.token!]));
    const primary = primaryTrigger(triggers);
    recordEvent(
      events.autopilotCreated({ userId: m.user.id, workspaceId: m.workspace.id, autopilotId: ap!.id, cadence: primary.cadence, triggerKind: primary.kind }),
      tx,
    );
    return { ap: ap!, triggers, tokens };
  });
  return autopilotResponse(ap, triggers, tokens);
}

async function findAutopilot(db: Db | Tx, m: Membership, id: string): Promise<Autopilot> {
  if (!isUuid(id)) throw notFound("autopilot not found");
  const [ap] = await db
    .select()
    .from(autopilots)
    .where(and(eq(autopilots.id, id), eq(autopilots.workspaceId, m.workspace.id)));
  if (!ap) throw notFound("autopilot not found");
  return ap;
}

async function triggersOf(db: Db, ids: string[]): Promise<Trigger[]> {
  if (ids.length === 0) return [];
  return db.select().from(autopilotTriggers).where(inArray(autopilotTriggers.autopilotId, ids)).orderBy(asc(autopilotTriggers.createdAt));
}

export async function listAutopilots(db: Db, m: Membership) {
  const rows = await db.select().from(autopilots).where(eq(autopilots.workspaceId, m.workspace.id)).orderBy(asc(autopilots.createdAt));
  const triggers = await triggersOf(db, rows.map((r) => r.id));
  return rows.map((a) => autopilotResponse(a, triggers.filter((t) => t.autopilotId === a.id)));
}

export async function getAutopilot(db: Db, m: Membership, id: string) {
  const ap = await findAutopilot(db, m, id);
  return autopilotResponse(ap, await triggersOf(db, [ap.id]));
}

function assertCanManage(m: Membership, ap: Autopilot) {
  if (ap.createdBy !== m.user.id && !canModerate(m.role)) throw forbidden("only the autopilot's creator or an owner/admin can change it");
}

export async function updateAutopilot(
  db: Db,
  m: Membership,
  id: string,
  patch: Partial<Pick<AutopilotInput, "name" | "prompt" | "enabled" | "executionMode">> & { assigneeType?: "agent" | "squad"; assigneeId?: string },
) {
  const ap = await findAutopilot(db, m, id);
  assertCanManage(m, ap);
  if ((patch.assigneeType === undefined) !== (patch.assigneeId === undefined)) throw badRequest("assignee_type and assignee_id go together");
  if (patch.assigneeType && patch.assigneeId) await assertAssignee(db, m.workspace.id, patch.assigneeType, patch.assigneeId);
  // Nothing to set would make drizzle throw "No values to set"; the route refuses such a body, this keeps callers safe.
  if (Object.values(patch).every((v) => v === undefined)) return autopilotResponse(ap, await triggersOf(db, [ap.id]));
  const [updated] = await db
    .update(autopilots)
    .set({
      name: patch.name,
      prompt: patch.prompt,
      enabled: patch.enabled,
      executionMode: patch.executionMode,
      assigneeType: patch.assigneeType,
      assigneeId: patch.assigneeId,
    })
    .where(eq(autopilots.id, ap.id))
    .returning();
  return autopilotResponse(updated!, await triggersOf(db, [ap.id]));
}

export async function deleteAutopilot(db: Db, m: Membership, id: string): Promise<void> {
  const ap = await findAutopilot(db, m, id);
  assertCanManage(m, ap);
  // Its runs go with it (cascade), but not before each started one has ended, and its run-only work with it; an
  // issue it created stays, with the work on it. Of concurrent deletions one wins; the others find nothing to
  // delete and answer 404, as a deleted issue does.
  await withEvents(db, async (tx) => {
    const runIds = await failStartedRuns(tx, ap, "autopilot deleted");
    await cancelRunOnlyTasks(tx, runIds);
    const deleted = await tx.delete(autopilots).where(eq(autopilots.id, ap.id)).returning({ id: autopilots.id });
    if (deleted.length === 0) throw notFound("autopilot not found");
  });
}

export async function addTrigger(db: Db, m: Membership, autopilotId: string, input: TriggerInput) {
  const ap = await findAutopilot(db, m, autopilotId);
  assertCanManage(m, ap);
  const prepared = triggerValues(ap.id, input, new Date());
  const [t] = await db.insert(autopilotTriggers).values(prepared.row).returning();
  return triggerResponse(t!, prepared.token);
}

async function findTrigger(db: Db, ap: Autopilot, triggerId: string): Promise<Trigger> {
  if (!isUuid(triggerId)) throw notFound("trigger not found");
  const [t] = await db
    .select()
    .from(autopilotTriggers)
    .where(and(eq(autopilotTriggers.id, triggerId), eq(autopilotTriggers.autopilotId, ap.id)));
  if (!t) throw notFound("trigger not found");
  return t;
}

/** Enables/disables a trigger; re-enabling a schedule restarts it from the next slot (missed slots are not replayed). */
export async function updateTrigger(
  db: Db,
  m: Membership,
  autopilotId: string,
  triggerId: string,
  patch: { enabled?: boolean; cron?: string; timezone?: string; provider?: "generic" | "github"; event_filters?: EventFilter[] | null },
) {
  const ap = await findAutopilot(db, m, autopilotId);
  assertCanManage(m, ap);
  const t = await findTrigger(db, ap, triggerId);
  const set: Partial<typeof autopilotTriggers.$inferInsert> = {};
  if ((patch.provider !== undefined || patch.event_filters !== undefined) && t.kind !== "webhook") {
    throw badRequest("provider and event_filters apply to webhook triggers only");
  }
  if (patch.cron !== undefined || patch.timezone !== undefined) {
    if (t.kind !== "schedule") throw badRequest("cron and timezone apply to schedule triggers only");
    // A new schedule: validated as at creation; its cadence and next slot follow (the next slot only while enabled).
    const schedule = scheduleValues(patch.cron ?? t.cron ?? "", patch.timezone ?? t.timezone ?? "UTC", new Date());
    if (schedule.error) throw badRequest(schedule.error);
    Object.assign(set, schedule.values, (patch.enabled ?? t.enabled) ? {} : { nextRunAt: t.nextRunAt });
  }
  if (patch.provider !== undefined) set.provider = patch.provider;
  // An explicit [] or null clears the filters; an omitted field keeps them.
  if (patch.event_filters !== undefined) set.eventFilters = patch.event_filters?.length ? patch.event_filters : null;
  if (patch.enabled !== undefined) {
    set.enabled = patch.enabled;
    const cron = set.cron ?? t.cron;
    const timezone = set.timezone ?? t.timezone;
    if (patch.enabled && !t.enabled && t.kind === "schedule" && cron && timezone) set.nextRunAt = nextRunAfter(cron, timezone, new Date());
  }
  if (Object.keys(set).length === 0) return triggerResponse(t);
  const [updated] = await db.update(autopilotTriggers).set(set).where(eq(autopilotTriggers.id, t.id)).returning();
  return triggerResponse(updated!);
}

/** A new secret URL for a webhook trigger; the old one stops working at once (404). */
export async function rotateWebhookToken(db: Db, m: Membership, autopilotId: string, triggerId: string) {
  const ap = await findAutopilot(db, m, autopilotId);
  assertCanManage(m, ap);
  const t = await findTrigger(db, ap, triggerId);
  if (t.kind !== "webhook") throw badRequest("only a webhook trigger has a URL to rotate");
  const { token, secretHash } = mintWebhookToken(t.id);
  const [updated] = await db.update(autopilotTriggers).set({ webhookSecretHash: secretHash }).where(eq(autopilotTriggers.id, t.id)).returning();
  return triggerResponse(updated!, token);
}

/** PUT …/signing-secret: sets (≥ 16 characters) or clears (empty) the HMAC secret of a webhook trigger. */
export async function setSigningSecret(db: Db, m: Membership, autopilotId: string, triggerId: string, secret: string) {
  const ap = await findAutopilot(db, m, autopilotId);
  assertCanManage(m, ap);
  const t = await findTrigger(db, ap, triggerId);
  if (t.kind !== "webhook") throw badRequest("only a webhook trigger has a signing secret");
  const [updated] = await db.update(autopilotTriggers).set({ signingSecret: secret || null }).where(eq(autopilotTriggers.id, t.id)).returning();
  return triggerResponse(updated!);
}

export async function deleteTrigger(db: Db, m: Membership, autopilotId: string, triggerId: string): Promise<void> {
  const ap = await findAutopilot(db, m, autopilotId);
  assertCanManage(m, ap);
  const t = await findTrigger(db, ap, triggerId);
  await db.delete(autopilotTriggers).where(eq(autopilotTriggers.id, t.id));
}

/** POST /api/autopilots/[id]/runs: a manual run (any member may run an autopilot of their workspace). */
export async function runAutopilotNow(db: Db, m: Membership, id: string) {
  const ap = await findAutopilot(db, m, id);
  const outcome: DispatchOutcome = await dispatchAutopilot(db, { autopilotId: ap.id, trigger: null, kind: "manual" });
  if (outcome.status === "already_claimed") throw new Error("a manual run cannot be claimed elsewhere");
  return runResponse(outcome.run);
}

export async function listRuns(db: Db, m: Membership, id: string, limit = 50) {
  const ap = await findAutopilot(db, m, id);
  const rows = await db
    .select()
    .from(autopilotRuns)
    .where(eq(autopilotRuns.autopilotId, ap.id))
    .orderBy(desc(autopilotRuns.createdAt))
    .limit(limit);
  return rows.map(runResponse);
}
