import { getDb } from "@/lib/db";
import { listAgents } from "@/lib/agents";
import { listRuntimes } from "@/lib/runtimes";
import { ContactSalesForm } from "@/components/contact-sales/ContactSalesForm";
import { ListTable } from "@/components/ui/Table";
import { pageWorkspace } from "@/lib/ui/workspace";
import { ArchiveAgentButton } from "./ArchiveAgentButton";
import { NewAgentForm } from "./NewAgentForm";

export default async function AgentsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const m = await pageWorkspace(slug);
  const db = await getDb();
  const [agents, rts] = await Promise.all([listAgents(db, m), listRuntimes(db, m.workspace.id)]);
  const runtimeLabel = new Map(rts.map((r) => [r.id, `${r.name} (${r.provider}, ${r.status})`]));
  return (
    <main id="main">
      <h1>Agents</h1>
      <ListTable
        label="Agents"
        columns={["Name", "Runtime", "Template", <span className="visually-hidden">Actions</span>]}
        items={agents}
        empty="No agents yet."
        row={(a) => (
          <tr key={a.id}>
            <td>{a.name}</td>
            <td>{a.runtime_id ? (runtimeLabel.get(a.runtime_id) ?? "unknown") : <span className="muted">none</span>}</td>
            <td>{a.template ?? ""}</td>
            <td>{(a.created_by === m.user.id || m.role !== "member") && <ArchiveAgentButton workspaceId={m.workspace.id} agentId={a.id} name={a.name} />}</td>
          </tr>
        )}
      />
      <NewAgentForm workspaceId={m.workspace.id} runtimes={rts.map((r) => ({ id: r.id, label: runtimeLabel.get(r.id)! }))} />
      <details className="panel">
        <summary>Running agents for a whole team? Talk to sales about cloud runtimes</summary>
        <ContactSalesForm source="agents_page" heading="Talk to sales" />
      </details>
    </main>
  );
}
