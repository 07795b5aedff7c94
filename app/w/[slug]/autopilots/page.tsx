import { desc, eq } from "drizzle-orm";
import { getDb } from "@/lib/db";
import { autopilotRuns } from "@/lib/db/schema";
import { listAgents, listSquads } from "@/lib/agents";
import { listAutopilots } from "@/lib/autopilots";
import type { Metadata } from "next";
import { describeCron, describeSkipReason } from "@/lib/autopilots/describe";
import { Badge } from "@/components/ui/Badge";
import { Dialog } from "@/components/ui/Dialog";
import { EmptyState } from "@/components/ui/EmptyState";
import { LiveRefresh } from "@/components/ui/LiveRefresh";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { ListTable } from "@/components/ui/Table";
import { pageWorkspace } from "@/lib/ui/workspace";
import { AutopilotActions } from "./AutopilotActions";
import { NewAutopilotForm } from "./NewAutopilotForm";
import { RunNowButton } from "./RunNowButton";
import { WebhookDeliveries } from "./WebhookDeliveries";
import { ScheduleTriggerControls } from "./ScheduleTriggerControls";
import { WebhookTriggerControls } from "./WebhookTriggerControls";

export const metadata: Metadata = { title: "Autopilots" };

export default async function AutopilotsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const m = await pageWorkspace(slug);
  const db = await getDb();
  const [autopilots, agents, squads, runs] = await Promise.all([
    listAutopilots(db, m),
    listAgents(db, m, { includeArchived: true }),
    listSquads(db, m),
    db.select().from(autopilotRuns).where(eq(autopilotRuns.workspaceId, m.workspace.id)).orderBy(desc(autopilotRuns.createdAt)).limit(200),
  ]);
  const names = new Map<string, string>([...agents.map((a) => [a.id, a.name] as const), ...squads.map((s) => [s.id, `${s.name} (squad)`] as const)]);
  const lastRun = new Map<string, (typeof runs)[number]>();
  for (const r of runs) if (!lastRun.has(r.autopilotId)) lastRun.set(r.autopilotId, r);
  const assignees = [
    ...agents.filter((a) => !a.archived_at).map((a) => ({ value: `agent:${a.id}`, label: a.name })),
    ...squads.map((s) => ({ value: `squad:${s.id}`, label: `${s.name} (squad)` })),
  ];
  return (
    <main id="main">
      <LiveRefresh ms={4000} />
      <div className="page-head">
        <h1>Autopilots</h1>
        <Dialog title="New autopilot" trigger="New autopilot">
          <NewAutopilotForm workspaceId={m.workspace.id} assignees={assignees} />
        </Dialog>
      </div>
      <ListTable
        label="Autopilots"
        columns={["Name", "Runs as", "Triggers", "Last run", <span className="visually-hidden">Actions</span>]}
        items={autopilots}
        empty={<EmptyState title="No autopilots yet">An autopilot runs an agent on a schedule, from a webhook or on demand.</EmptyState>}
        row={(a) => {
          const last = lastRun.get(a.id);
          return (
            <tr key={a.id}>
              <td>
                {a.name}
                {!a.enabled && (
                  <>
                    {" "}
                    <Badge tone="muted">paused</Badge>
                  </>
                )}
              </td>
              <td>{names.get(a.assignee_id) ?? "—"}</td>
              <td>
                {a.triggers.length === 0
                  ? "manual"
                  : a.triggers.map((t) => (
                      <div key={t.id}>
                        {t.kind === "schedule" ? (
                          <>
                            {describeCron(t.cron ?? "")} <span className="muted">({t.timezone})</span>{" "}
                            <code className="muted" title="cron">
                              {t.cron}
                            </code>
                          </>
                        ) : (
                          "Webhook"
                        )}
                        {!t.enabled && " (off)"}
                        {t.kind === "schedule" && (a.created_by === m.user.id || m.role !== "member") && (
                          <ScheduleTriggerControls
                            workspaceId={m.workspace.id}
                            autopilotId={a.id}
                            triggerId={t.id}
                            name={a.name}
                            cron={t.cron ?? ""}
                            timezone={t.timezone ?? "UTC"}
                          />
                        )}
                        {t.kind === "webhook" && (a.created_by === m.user.id || m.role !== "member") && (
                          <WebhookTriggerControls
                            workspaceId={m.workspace.id}
                            autopilotId={a.id}
                            triggerId={t.id}
                            name={a.name}
                            secretHint={t.signing_secret_hint ?? null}
                          />
                        )}
                      </div>
                    ))}
              </td>
              <td>
                {last ? (
                  <>
                    {last.status === "skipped" ? describeSkipReason(last.skipReason) : last.status} <RelativeTime iso={last.createdAt} />
                  </>
                ) : (
                  "never"
                )}
              </td>
              <td>
                <RunNowButton workspaceId={m.workspace.id} autopilotId={a.id} name={a.name} />{" "}
                {(a.created_by === m.user.id || m.role !== "member") && (
                  <AutopilotActions workspaceId={m.workspace.id} autopilotId={a.id} name={a.name} enabled={a.enabled} />
                )}
              </td>
            </tr>
          );
        }}
      />
      <WebhookDeliveries m={m} autopilots={autopilots} />
    </main>
  );
}
