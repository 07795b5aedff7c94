import { asc, eq } from "drizzle-orm";
import { getDb } from "@/lib/db";
import { runtimes } from "@/lib/db/schema";
import { listAgents } from "@/lib/agents";
import { pageWorkspace } from "@/lib/ui/workspace";
import { ArchiveAgentButton } from "./ArchiveAgentButton";
import { NewAgentForm } from "./NewAgentForm";

export default async function AgentsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const m = await pageWorkspace(slug);
  const db = await getDb();
  const [agents, rts] = await Promise.all([
    listAgents(db, m),
    db.select({ id: runtimes.id, name: runtimes.name, provider: runtimes.provider, status: runtimes.status }).from(runtimes).where(eq(runtimes.workspaceId, m.workspace.id)).orderBy(asc(runtimes.createdAt)),
  ]);
  const runtimeLabel = new Map(rts.map((r) => [r.id, `${r.name} (${r.provider}, ${r.status})`]));
  return (
    <main>
      <h1>Agents</h1>
      {agents.length === 0 ? (
        <p className="muted">No agents yet.</p>
      ) : (
        <table aria-label="Agents">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Runtime</th>
              <th scope="col">Template</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => (
              <tr key={a.id}>
                <td>{a.name}</td>
                <td>{a.runtime_id ? (runtimeLabel.get(a.runtime_id) ?? "unknown") : <span className="muted">none</span>}</td>
                <td>{a.template ?? ""}</td>
                <td>{(a.created_by === m.user.id || m.role !== "member") && <ArchiveAgentButton workspaceId={m.workspace.id} agentId={a.id} name={a.name} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewAgentForm workspaceId={m.workspace.id} runtimes={rts.map((r) => ({ id: r.id, label: runtimeLabel.get(r.id)! }))} />
    </main>
  );
}
