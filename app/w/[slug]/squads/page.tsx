import type { Metadata } from "next";
import { getDb } from "@/lib/db";
import { listAgents, listSquads } from "@/lib/agents";
import { Dialog } from "@/components/ui/Dialog";
import { EmptyState } from "@/components/ui/EmptyState";
import { Table } from "@/components/ui/Table";
import { pageWorkspace } from "@/lib/ui/workspace";
import { DeleteSquadButton } from "./SquadActions";
import { SquadForm } from "./SquadForm";

export const metadata: Metadata = { title: "Squads" };

export default async function SquadsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const m = await pageWorkspace(slug);
  const db = await getDb();
  const [squads, agents] = await Promise.all([listSquads(db, m), listAgents(db, m, { includeArchived: true })]);
  const name = new Map(agents.map((a) => [a.id, a.name]));
  const active = agents.filter((a) => !a.archived_at).map((a) => ({ id: a.id, name: a.name }));
  return (
    <main id="main">
      <div className="page-head">
        <h1>Squads</h1>
        <Dialog title="New squad" trigger="New squad">
          <SquadForm workspaceId={m.workspace.id} agents={active} />
        </Dialog>
      </div>
      <Table
        label="Squads"
        columns={["Name", "Leader", "Members", <span className="visually-hidden">Actions</span>]}
        items={squads}
        empty={<EmptyState title="No squads yet">A squad is a group of agents with a leader; autopilots can run as a squad.</EmptyState>}
        row={(s) => (
          <tr key={s.id}>
            <td>{s.name}</td>
            <td>{name.get(s.leader_id)}</td>
            <td>{s.member_ids.map((id) => name.get(id)).join(", ")}</td>
            <td>
              {(s.created_by === m.user.id || m.role !== "member") && (
                <span className="row" style={{ gap: "0.4rem" }}>
                  <Dialog title={`Edit ${s.name}`} trigger="Edit" triggerAriaLabel={`Edit ${s.name}`} variant="secondary">
                    <SquadForm workspaceId={m.workspace.id} agents={active} squad={s} />
                  </Dialog>
                  <DeleteSquadButton workspaceId={m.workspace.id} id={s.id} name={s.name} />
                </span>
              )}
            </td>
          </tr>
        )}
      />
    </main>
  );
}
