import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as exportCsv } from "@/app/admin/export/route";
import { POST as createWorkspace } from "@/app/api/workspaces/route";
import { POST as completeOnboarding } from "@/app/api/me/onboarding/complete/route";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { agentTasks, agents, issues, users } from "@/lib/db/schema";
import { resetMetricsForTests } from "@/lib/telemetry/metrics";
import { call, signIn, uniqueEmail, type Session } from "@/tests/helpers/api";
import { adminReport, conversion, isAdmin, reportCsv, utcDays } from ".";

const ADMIN = uniqueEmail("ops-admin");
const fromGithub = { cookie: `tandem_signup_source=${encodeURIComponent(JSON.stringify({ utm_source: "github" }))}` };
let admin: Session;
let other: Session;
let workspaceId: string;

beforeAll(async () => {
  process.env.ADMIN_EMAILS = ` ${ADMIN.toUpperCase()} , someone@else.example`;
  resetConfigForTests();
  resetMetricsForTests(); // counters start with this file's (empty) database
  admin = await signIn(ADMIN, fromGithub);
  other = await signIn(uniqueEmail("ops-member"));
  const ws = await call(createWorkspace, { path: "/api/workspaces", body: { name: "Ops Co" }, session: admin });
  expect(ws.status).toBe(201);
  workspaceId = ws.body.id;
  expect((await call(completeOnboarding, { path: "/api/me/onboarding/complete", body: { completion_path: "full" }, session: admin })).status).toBe(200);
});

describe("admin report", () => {
  it("admins are the ADMIN_EMAILS (trimmed, any case); nobody else", () => {
    expect(isAdmin(ADMIN)).toBe(true);
    expect(isAdmin(ADMIN.toUpperCase())).toBe(true);
    expect(isAdmin(other.user.email)).toBe(false);
    expect(isAdmin(undefined)).toBe(false);
  });

  it("stores the normalised signup source on the user", async () => {
    const db = await getDb();
    const [a] = await db.select().from(users).where(eq(users.id, admin.user.id));
    const [o] = await db.select().from(users).where(eq(users.id, other.user.id));
    expect(a!.signupSource).toBe("github");
    expect(o!.signupSource).toBe("direct");
  });

  it("counts the funnel by day and by source from the database, with conversions", async () => {
    const db = await getDb();
    const r = await adminReport(db);
    expect(r.days).toHaveLength(30);
    expect(r.days.at(-1)!.day).toBe(r.generatedAt.toISOString().slice(0, 10));
    expect(r.days.at(-1)).toMatchObject({ signups: 2, workspaces: 1, onboarded: 1, executed: 0 });
    expect(r.totals).toEqual({ signups: 2, workspaces: 1, onboarded: 1, executed: 0 });
    // The funnel counts users: a second workspace by the same person is a day's activity, not another conversion.
    await call(createWorkspace, { path: "/api/workspaces", body: { name: "Ops Co Two" }, session: admin });
    const again = await adminReport(db);
    expect(again.days.at(-1)).toMatchObject({ workspaces: 2 });
    expect(again.totals).toEqual({ signups: 2, workspaces: 1, onboarded: 1, executed: 0 });
    expect(r.sources).toEqual([
      { source: "direct", signups: 1, workspaces: 0, onboarded: 0, executed: 0 },
      { source: "github", signups: 1, workspaces: 1, onboarded: 1, executed: 0 },
    ]);
    expect(conversion(2, 1)).toBe(0.5);
    expect(conversion(0, 0)).toBeNull();
    expect(utcDays(new Date("2026-03-01T23:59:00Z"), 3)).toEqual(["2026-02-27", "2026-02-28", "2026-03-01"]);
  });

  it("puts the live counters beside the database, and shows drift", async () => {
    const db = await getDb();
    const before = await adminReport(db);
    expect(before.live.rows.map((r) => [r.key, r.counter, r.database])).toEqual([
      ["signups", 2, 2],
      ["workspaces", 2, 2],
      ["onboarded", 1, 1],
      ["executed", 0, 0],
    ]);
    // A user written without the event (e.g. an import) is drift: the database has one more than the counter.
    await db.insert(users).values({ email: uniqueEmail("imported"), name: "imported" });
    const after = await adminReport(db);
    expect(after.live.rows.find((r) => r.key === "signups")).toMatchObject({ counter: 2, database: 3 });
  });

  it("reports task health: open tasks, stuck ones, failures by reason", async () => {
    const db = await getDb();
    const [agent] = await db.insert(agents).values({ workspaceId, name: "Bot", createdBy: admin.user.id } as typeof agents.$inferInsert).returning();
    const [issue] = await db
      .insert(issues)
      .values({ workspaceId, number: 1, title: "x", creatorType: "member", creatorId: admin.user.id, firstExecutedAt: new Date() } as typeof issues.$inferInsert)
      .returning();
    const hourAgo = new Date(Date.now() - 3_600_000);
    await db.insert(agentTasks).values([
      { workspaceId, agentId: agent!.id, issueId: issue!.id, status: "queued" },
      { workspaceId, agentId: agent!.id, status: "running", dispatchedAt: hourAgo, startedAt: hourAgo },
      { workspaceId, agentId: agent!.id, status: "failed", failureReason: "timeout", dispatchedAt: new Date(), startedAt: new Date(), completedAt: new Date() },
      { workspaceId, agentId: agent!.id, status: "failed", failureReason: "timeout" },
      { workspaceId, agentId: agent!.id, status: "failed", failureReason: "runtime_offline" },
    ] as (typeof agentTasks.$inferInsert)[]);
    const r = await adminReport(db);
    expect(r.tasks.open).toEqual({ queued: 1, running: 1, stuck: 1 });
    expect(r.tasks.failureReasons).toEqual([
      { reason: "timeout", n: 2 },
      { reason: "runtime_offline", n: 1 },
    ]);
    expect(r.tasks.byStatus).toEqual([
      { status: "failed", n: 3 },
      { status: "queued", n: 1 },
      { status: "running", n: 1 },
    ]);
    expect(r.tasks.queueWaitSeconds.p50).not.toBeNull();
    expect(r.totals.executed).toBe(1);
    expect(r.sources.find((s) => s.source === "github")!.executed).toBe(1);
  });

  it("exports CSV for admins only; anybody else gets 404", async () => {
    const ok = await call(exportCsv, { path: "/admin/export?table=sources", session: admin });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(ok.headers.get("content-disposition")).toMatch(/^attachment; filename="tandem-funnel-sources-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(String(ok.body).split("\r\n")[0]).toBe("signup_source,signups,workspaces,onboarded,executed");
    expect(String(ok.body)).toContain("github,1,1,1,1");

    const days = await call(exportCsv, { path: "/admin/export", session: admin });
    expect(String(days.body).split("\r\n")).toHaveLength(32); // header + 30 days + trailing CRLF

    expect((await call(exportCsv, { path: "/admin/export?table=sources", session: other })).status).toBe(404);
    expect((await call(exportCsv, { path: "/admin/export?table=sources" })).status).toBe(404);
    const bad = await call(exportCsv, { path: "/admin/export?table=users", session: admin });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/table must be one of days, sources/);
  });

  it("quotes CSV cells a spreadsheet would run as formulas", () => {
    const r = { sources: [{ source: "=cmd", signups: 1, workspaces: 0, onboarded: 0, executed: 0 }], days: [] } as never;
    expect(reportCsv(r, "sources")).toBe('signup_source,signups,workspaces,onboarded,executed\r\n"=cmd",1,0,0,0\r\n');
  });
});
