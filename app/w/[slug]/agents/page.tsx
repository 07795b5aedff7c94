import type { Metadata } from "next";
import { getDb } from "@/lib/db";
import { listAgents } from "@/lib/agents";
import { listRuntimes } from "@/lib/runtimes";
import { ContactSalesForm } from "@/components/contact-sales/ContactSalesForm";
import { Badge } from "@/components/ui/Badge";
import { Dialog } from "@/components/ui/Dialog";
import { EmptyState } from "@/components/ui/EmptyState";
import { Table } from "@/components/ui/Table";
import { pageWorkspace } from "@/lib/ui/workspace";
import { AgentForm } from "./AgentForm";
import { ArchiveAgentButton } from "./ArchiveAgentButton";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const m = await pageWorkspace(slug);
  const db = await getDb();
  const [agents, rts] = await Promise.all([listAgents(db, m), listRuntimes(db, m.workspace.id)]);
  const runtimeLabel = new Map(rts.map((r) => [r.id, `${r.name} (${r.provider}, ${r.status})`]));
  const runtimes = rts.map((r) => ({ id: r.id, label: runtimeLabel.get(r.id)! }));
  return (
    <main id="main">
      <div className="page-head">
        <h1>Agents</h1>
        <Dialog title="New agent" trigger="New agent">
          <AgentForm workspaceId={m.workspace.id} runtimes={runtimes} />
        </Dialog>
      </div>
      <Table
        label="Agents"
        columns={["Name", "Runtime", "Template", <span className="visually-hidden">Actions</span>]}
        items={agents}
        empty={<EmptyState title="No agents yet">Create an agent, give it a runtime, and assign it issues.</EmptyState>}
        row={(a) => (
          <tr key={a.id}>
            <td>{a.name}</td>
            <td>{a.runtime_id ? (runtimeLabel.get(a.runtime_id) ?? "unknown") : <Badge tone="warn">no runtime</Badge>}</td>
            <td>{a.template ?? ""}</td>
            <td>
              {(a.created_by === m.user.id || m.role !== "member") && (
                <span className="row" style={{ gap: "0.4rem" }}>
                  <Dialog title={`Edit ${a.name}`} trigger="Edit" triggerAriaLabel={`Edit ${a.name}`} variant="secondary">
                    <AgentForm workspaceId={m.workspace.id} runtimes={runtimes} agent={{ id: a.id, name: a.name, instructions: a.instructions, runtime_id: a.runtime_id }} />
                  </Dialog>
                  <ArchiveAgentButton workspaceId={m.workspace.id} agentId={a.id} name={a.name} />
                </span>
              )}
            </td>
          </tr>
        )}
      />
      <details className="panel">
        <summary>Running agents for a whole team? Talk to sales about cloud runtimes</summary>
        <ContactSalesForm source="agents_page" heading="Talk to sales" />
      </details>
    </main>
  );
}
