import type { Metadata } from "next";
import { getDb } from "@/lib/db";
import { listDaemonTokens, listRuntimes } from "@/lib/runtimes";
import { SWEEP_THRESHOLDS } from "@/lib/tasks/sweep";
import { pageWorkspace } from "@/lib/ui/workspace";
import { DaemonTokenForm } from "@/components/runtimes/DaemonTokenForm";
import { Badge, statusTone } from "@/components/ui/Badge";
import { EmptyState } from "@/components/ui/EmptyState";
import { LiveRefresh } from "@/components/ui/LiveRefresh";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { Table } from "@/components/ui/Table";
import { DaemonTokens } from "./DaemonTokens";
import { PingButton } from "./PingButton";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Runtimes" };

export default async function RuntimesPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const m = await pageWorkspace(slug);
  const db = await getDb();
  const admin = m.role !== "member";
  const [runtimes, tokens] = await Promise.all([listRuntimes(db, m.workspace.id), admin ? listDaemonTokens(db, m.workspace.id) : Promise.resolve([])]);
  return (
    <main id="main">
      {/* Runtimes come and go with their daemons' heartbeats: keep the list current without a reload. */}
      <LiveRefresh ms={3000} />
      <h1>Runtimes</h1>
      <p className="muted">
        A daemon on a machine registers one runtime per provider and heartbeats; a runtime silent for {SWEEP_THRESHOLDS.runtimeStale} s is
        marked offline.
      </p>
      <Table
        label="Runtimes"
        columns={["Name", "Provider", "Status", "Last seen", "Device", <span className="visually-hidden">Actions</span>]}
        items={runtimes}
        empty={
          <EmptyState title="No runtimes yet">
            {admin ? "Create a daemon token below and run the command it shows on your machine." : "Ask an owner or admin of this workspace for a daemon token to connect your machine."}
          </EmptyState>
        }
        row={(r) => (
          <tr key={r.id}>
            <td>{r.name}</td>
            <td>{r.provider}</td>
            <td>
              <Badge tone={statusTone(r.status)}>{r.status}</Badge>
            </td>
            <td>
              <RelativeTime iso={r.last_seen_at} />
            </td>
            <td>{r.device_name}</td>
            {/* Only the runtime's owner may query it (the API answers 403 otherwise). */}
            <td>{r.status === "online" && r.owner_id === m.user.id && <PingButton workspaceId={m.workspace.id} runtimeId={r.id} name={r.name} />}</td>
          </tr>
        )}
      />
      {admin && (
        <>
          <DaemonTokenForm workspaceId={m.workspace.id} />
          <h2>Daemon tokens</h2>
          <DaemonTokens workspaceId={m.workspace.id} tokens={tokens} />
        </>
      )}
    </main>
  );
}
