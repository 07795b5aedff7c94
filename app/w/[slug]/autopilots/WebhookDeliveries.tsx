import { desc, eq } from "drizzle-orm";
import type { Membership } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { autopilotRuns, webhookDeliveries } from "@/lib/db/schema";
import { describeSkipReason } from "@/lib/autopilots/describe";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { ReplayDeliveryButton } from "./ReplayDeliveryButton";

type AutopilotSummary = { id: string; name: string; triggers: { kind: string }[] };

/** Recent webhook deliveries of the workspace's webhook autopilots, with a replay button for replayable ones. */
export async function WebhookDeliveries({ m, autopilots }: { m: Membership; autopilots: AutopilotSummary[] }) {
  const hooked = autopilots.filter((a) => a.triggers.some((t) => t.kind === "webhook"));
  if (hooked.length === 0) return null;
  const names = new Map(hooked.map((a) => [a.id, a.name]));
  const rows = await (await getDb())
    .select({
      id: webhookDeliveries.id,
      autopilotId: webhookDeliveries.autopilotId,
      event: webhookDeliveries.event,
      status: webhookDeliveries.status,
      signatureStatus: webhookDeliveries.signatureStatus,
      attemptCount: webhookDeliveries.attemptCount,
      error: webhookDeliveries.error,
      replayedFrom: webhookDeliveries.replayedFromDeliveryId,
      createdAt: webhookDeliveries.createdAt,
      runStatus: autopilotRuns.status,
      runSkipReason: autopilotRuns.skipReason,
    })
    .from(webhookDeliveries)
    .leftJoin(autopilotRuns, eq(autopilotRuns.id, webhookDeliveries.autopilotRunId))
    .where(eq(webhookDeliveries.workspaceId, m.workspace.id))
    .orderBy(desc(webhookDeliveries.createdAt))
    .limit(30);
  return (
    <section aria-labelledby="webhook-deliveries">
      <h2 id="webhook-deliveries">Webhook deliveries</h2>
      {rows.length === 0 ? (
        <p className="muted">No deliveries yet.</p>
      ) : (
        // Scrolls sideways inside its own box on a phone rather than widening the page.
        <div className="table-wrap">
          <table aria-label="Webhook deliveries">
            <thead>
              <tr>
                <th>Received</th>
                <th>Autopilot</th>
                <th>Event</th>
                <th>Status</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.id}>
                  <td>
                    <RelativeTime iso={d.createdAt.toISOString()} />
                  </td>
                  <td>{names.get(d.autopilotId) ?? "—"}</td>
                  <td>
                    <code>{d.event}</code>
                    {d.replayedFrom && <span className="muted"> (replay)</span>}
                  </td>
                  <td>
                    {d.status}
                    {d.error && <span className="muted">: {d.error.replace(/_/g, " ")}</span>}
                    {/* A dispatched delivery whose run the autopilot skipped (inventory §2.2 step 14) says so. */}
                    {d.status === "dispatched" && d.runStatus === "skipped" && <span className="muted"> · run {describeSkipReason(d.runSkipReason)}</span>}
                    {d.attemptCount > 1 && <span className="muted"> · {d.attemptCount} attempts</span>}
                  </td>
                  <td>
                    {d.status !== "rejected" && d.signatureStatus !== "invalid" && (
                      <ReplayDeliveryButton
                        workspaceId={m.workspace.id}
                        autopilotId={d.autopilotId}
                        deliveryId={d.id}
                        label={`Replay the ${d.event} delivery of ${d.createdAt.toISOString().slice(0, 19).replace("T", " ")} UTC`}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
