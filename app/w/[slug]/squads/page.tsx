import { getDb } from "@/lib/db";
import { listAgents, listSquads } from "@/lib/agents";
import { ListTable } from "@/components/ui/Table";
import { pageWorkspace } from "@/lib/ui/workspace";
import { NewSquadForm } from "./NewSquadForm";

export default async function SquadsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const m = await pageWorkspace(slug);
  const db = await getDb();
  const [squads, agents] = await Promise.all([listSquads(db, m), listAgents(db, m, { includeArchived: true })]);
  const name = new Map(agents.map((a) => [a.id, a.name]));
  return (
    <main id="main">
      <h1>Squads</h1>
      <ListTable
        label="Squads"
        columns={["Name", "Leader", "Members"]}
        items={squads}
        empty="No squads yet."
        row={(s) => (
          <tr key={s.id}>
            <td>{s.name}</td>
            <td>{name.get(s.leader_id)}</td>
            <td>{s.member_ids.map((id) => name.get(id)).join(", ")}</td>
          </tr>
        )}
      />
      <NewSquadForm workspaceId={m.workspace.id} agents={agents.filter((a) => !a.archived_at).map((a) => ({ id: a.id, name: a.name }))} />
    </main>
  );
}
