import { getDb } from "@/lib/db";
import { listRuntimes } from "@/lib/runtimes";
import { SWEEP_THRESHOLDS } from "@/lib/tasks/sweep";
import { pageWorkspace } from "@/lib/ui/workspace";
import { DaemonTokenForm } from "./DaemonTokenForm";
import { PingButton } from "./PingButton";

export const dynamic = "force-dynamic";

function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

export default async function RuntimesPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const m = await pageWorkspace(slug);
  const runtimes = await listRuntimes(await getDb(), m.workspace.id);
  const now = Date.now();
  return (
    <main id="main">
      <h1>Runtimes</h1>
      <p className="muted">
        A daemon on a machine registers one runtime per provider and heartbeats; a runtime silent for {SWEEP_THRESHOLDS.runtimeStale} s is
        marked offline.
      </p>
      {runtimes.length === 0 ? (
        <p className="muted">No runtimes yet. Start a daemon with a token below.</p>
      ) : (
        <table aria-label="Runtimes">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Provider</th>
              <th scope="col">Status</th>
              <th scope="col">Last seen</th>
              <th scope="col">Device</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {runtimes.map((r) => (
              <tr key={r.id}>
                <td>{r.name}</td>
                <td>{r.provider}</td>
                <td>
                  <span className={r.status === "online" ? "badge ok" : "badge muted"}>{r.status}</span>
                </td>
                <td>
                  <time dateTime={r.last_seen_at} title={r.last_seen_at}>
                    {ago(r.last_seen_at, now)}
                  </time>
                </td>
                <td>{r.device_name}</td>
                <td>{r.status === "online" && <PingButton workspaceId={m.workspace.id} runtimeId={r.id} name={r.name} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {m.role !== "member" && <DaemonTokenForm workspaceId={m.workspace.id} />}
    </main>
  );
}
