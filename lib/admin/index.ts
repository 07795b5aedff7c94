/**
 * The operator page's data (/admin): the acquisition → activation funnel computed from the database (the source of
 * truth) by UTC day and by signup source, this process's live counters beside the same steps counted in the
 * database since the process started (so drift between the two shows at a glance), and task health.
 * Admins are the addresses in ADMIN_EMAILS; to everyone else the page does not exist.
 */
import { and, count, desc, eq, gte, inArray, isNotNull, sql, type AnyColumn } from "drizzle-orm";
import type { Counter } from "prom-client";
import { config } from "@/lib/config";
import type { Db } from "@/lib/db";
import { agentTasks, issues, users, workspaces } from "@/lib/db/schema";
import { families } from "@/lib/telemetry/metrics";

export function isAdmin(email: string | null | undefined): boolean {
  return !!email && config().ADMIN_EMAILS.includes(email.trim().toLowerCase());
}

export const FUNNEL_STEPS = [
  { key: "signups", label: "Signups" },
  { key: "workspaces", label: "Workspaces created" },
  { key: "onboarded", label: "Onboarding completed" },
  { key: "executed", label: "First issue executed" },
] as const;
export type StepKey = (typeof FUNNEL_STEPS)[number]["key"];
export type StepCounts = Record<StepKey, number>;

export type DayRow = { day: string } & StepCounts;
/** A cohort: users who signed up in the window from one source, and how far they got. */
export type SourceRow = { source: string } & StepCounts;
export type LiveRow = { key: StepKey; label: string; counter: number; database: number };
export type TaskHealth = {
  byStatus: { status: string; n: number }[];
  failureReasons: { reason: string; n: number }[];
  open: { queued: number; running: number; stuck: number };
  queueWaitSeconds: { p50: number | null; p95: number | null };
  runSeconds: { p50: number | null; p95: number | null };
};
export type AdminReport = {
  generatedAt: Date;
  days: DayRow[];
  totals: StepCounts;
  sources: SourceRow[];
  live: { since: Date; rows: LiveRow[] };
  tasks: TaskHealth;
};

export const REPORT_DAYS = 30;
const DAY_MS = 86_400_000;
/** When this process's counters started (the registry is built at start-up). */
const PROCESS_STARTED = new Date(Date.now() - process.uptime() * 1000);

const dayOf = (col: AnyColumn) => sql<string>`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD')`;
const n = (v: unknown) => Number(v ?? 0);
const nullableNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Conversion from one step to the next (null when the earlier step is 0). */
export function conversion(from: number, to: number): number | null {
  return from > 0 ? to / from : null;
}

/** The last `days` UTC dates, oldest first, ending today. */
export function utcDays(now: Date, days = REPORT_DAYS): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

async function perDay(db: Db, since: Date) {
  const [signups, created, onboarded, executed] = await Promise.all([
    db.select({ day: dayOf(users.createdAt), n: count() }).from(users).where(gte(users.createdAt, since)).groupBy(sql`1`),
    db.select({ day: dayOf(workspaces.createdAt), n: count() }).from(workspaces).where(gte(workspaces.createdAt, since)).groupBy(sql`1`),
    db.select({ day: dayOf(users.onboardedAt), n: count() }).from(users).where(gte(users.onboardedAt, since)).groupBy(sql`1`),
    db.select({ day: dayOf(issues.firstExecutedAt), n: count() }).from(issues).where(gte(issues.firstExecutedAt, since)).groupBy(sql`1`),
  ]);
  return { signups, workspaces: created, onboarded, executed } satisfies Record<StepKey, { day: string; n: number }[]>;
}

/** How far a cohort of users got: each step counts users, once each, so no step can exceed the signups. */
const cohortSteps = () => ({
  signups: count(),
  onboarded: count(users.onboardedAt),
  workspaces: sql<number>`count(*) filter (where exists (select 1 from ${workspaces} w where w.created_by = users.id))`,
  executed: sql<number>`count(*) filter (where exists (select 1 from ${issues} i join ${workspaces} w on w.id = i.workspace_id where w.created_by = users.id and i.first_executed_at is not null))`,
});
const stepCounts = (r: Record<StepKey, unknown>): StepCounts => ({ signups: n(r.signups), workspaces: n(r.workspaces), onboarded: n(r.onboarded), executed: n(r.executed) });

/** The users who signed up since `since`, and how far they got. */
async function cohort(db: Db, since: Date): Promise<StepCounts> {
  const [row] = await db.select(cohortSteps()).from(users).where(gte(users.createdAt, since));
  return stepCounts(row ?? {});
}

async function bySource(db: Db, since: Date): Promise<SourceRow[]> {
  const rows = await db
    .select({ source: users.signupSource, ...cohortSteps() })
    .from(users)
    .where(gte(users.createdAt, since))
    .groupBy(users.signupSource)
    .orderBy(desc(count()), users.signupSource)
    .limit(100);
  return rows.map((r) => ({ source: r.source, ...stepCounts(r) }));
}

async function counterValue(c: Counter<string>): Promise<number> {
  return (await c.get()).values.reduce((sum, v) => sum + v.value, 0);
}

async function live(db: Db, since: Date): Promise<LiveRow[]> {
  const f = families();
  const [[u], [w], [o], [e]] = await Promise.all([
    db.select({ n: count() }).from(users).where(gte(users.createdAt, since)),
    db.select({ n: count() }).from(workspaces).where(gte(workspaces.createdAt, since)),
    db.select({ n: count() }).from(users).where(gte(users.onboardedAt, since)),
    db.select({ n: count() }).from(issues).where(gte(issues.firstExecutedAt, since)),
  ]);
  const database: StepCounts = { signups: n(u?.n), workspaces: n(w?.n), onboarded: n(o?.n), executed: n(e?.n) };
  const counters: Record<StepKey, Counter<string>> = {
    signups: f.signup,
    workspaces: f.workspaceCreated,
    onboarded: f.onboardingCompleted,
    executed: f.issueExecuted,
  };
  return Promise.all(FUNNEL_STEPS.map(async (s) => ({ key: s.key, label: s.label, counter: await counterValue(counters[s.key]), database: database[s.key] })));
}

async function taskHealth(db: Db, now: Date): Promise<TaskHealth> {
  const dayAgo = new Date(now.getTime() - DAY_MS);
  const weekAgo = new Date(now.getTime() - 7 * DAY_MS);
  const [byStatus, reasons, [open], [timing]] = await Promise.all([
    db.select({ status: agentTasks.status, n: count() }).from(agentTasks).where(gte(agentTasks.createdAt, dayAgo)).groupBy(agentTasks.status).orderBy(agentTasks.status),
    db
      .select({ reason: sql<string>`coalesce(${agentTasks.failureReason}, 'unknown')`, n: count() })
      .from(agentTasks)
      .where(and(eq(agentTasks.status, "failed"), gte(agentTasks.createdAt, weekAgo)))
      .groupBy(sql`1`)
      .orderBy(desc(count()))
      .limit(10),
    db
      .select({
        queued: sql<number>`count(*) filter (where ${agentTasks.status} = 'queued')`,
        running: sql<number>`count(*) filter (where ${agentTasks.status} in ('dispatched', 'running'))`,
        stuck: sql<number>`count(*) filter (where ${agentTasks.status} = 'running' and ${agentTasks.startedAt} < now() - interval '30 minutes')`,
      })
      .from(agentTasks)
      .where(inArray(agentTasks.status, ["queued", "dispatched", "running"])),
    db
      .select({
        waitP50: sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from ${agentTasks.dispatchedAt} - ${agentTasks.createdAt}))`,
        waitP95: sql<number | null>`percentile_cont(0.95) within group (order by extract(epoch from ${agentTasks.dispatchedAt} - ${agentTasks.createdAt}))`,
        runP50: sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from ${agentTasks.completedAt} - ${agentTasks.startedAt}))`,
        runP95: sql<number | null>`percentile_cont(0.95) within group (order by extract(epoch from ${agentTasks.completedAt} - ${agentTasks.startedAt}))`,
      })
      .from(agentTasks)
      .where(and(gte(agentTasks.createdAt, dayAgo), isNotNull(agentTasks.dispatchedAt))),
  ]);
  return {
    byStatus: byStatus.map((r) => ({ status: r.status, n: n(r.n) })),
    failureReasons: reasons.map((r) => ({ reason: r.reason, n: n(r.n) })),
    open: { queued: n(open?.queued), running: n(open?.running), stuck: n(open?.stuck) },
    queueWaitSeconds: { p50: nullableNumber(timing?.waitP50), p95: nullableNumber(timing?.waitP95) },
    runSeconds: { p50: nullableNumber(timing?.runP50), p95: nullableNumber(timing?.runP95) },
  };
}

export async function adminReport(db: Db, now = new Date()): Promise<AdminReport> {
  const dates = utcDays(now);
  const since = new Date(`${dates[0]}T00:00:00Z`);
  const [daily, totals, sources, liveRows, tasks] = await Promise.all([
    perDay(db, since),
    cohort(db, since),
    bySource(db, since),
    live(db, PROCESS_STARTED),
    taskHealth(db, now),
  ]);
  const days: DayRow[] = dates.map((day) => ({ day, signups: 0, workspaces: 0, onboarded: 0, executed: 0 }));
  const index = new Map(days.map((d) => [d.day, d]));
  for (const step of FUNNEL_STEPS) for (const r of daily[step.key]) { const d = index.get(r.day); if (d) d[step.key] += n(r.n); }
  return { generatedAt: now, days, totals, sources, live: { since: PROCESS_STARTED, rows: liveRows }, tasks };
}

// ---------------------------------------------------------------------------------------------------------------
// CSV export

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (rows: (string | number)[][]) => rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";

export const CSV_TABLES = ["days", "sources"] as const;
export type CsvTable = (typeof CSV_TABLES)[number];

/** The funnel by day or by source as CSV (RFC 4180; cells that a spreadsheet would run as a formula are quoted). */
export function reportCsv(report: AdminReport, table: CsvTable): string {
  const steps = FUNNEL_STEPS.map((s) => s.key);
  if (table === "sources") return csv([["signup_source", ...steps], ...report.sources.map((r) => [r.source, ...steps.map((k) => r[k])])]);
  return csv([["date", ...steps], ...report.days.map((r) => [r.day, ...steps.map((k) => r[k])])]);
}
