import { getDb } from "@/lib/db";
import { listMembers } from "@/lib/workspaces";
import { ListTable } from "@/components/ui/ListTable";
import { pageWorkspace } from "@/lib/ui/workspace";
import { InviteForm } from "@/components/workspaces/InviteForm";

export default async function WorkspaceHome({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { workspace, role } = await pageWorkspace(slug);
  const members = await listMembers(await getDb(), workspace.id);
  return (
    <main>
      <h1>{workspace.name}</h1>
      <p className="muted">
        Issue prefix <span className="badge">{workspace.issuePrefix}</span> · your role: {role}
      </p>
      <h2>Members</h2>
      <ListTable
        columns={["Name", "Email", "Role"]}
        items={members}
        row={(m) => (
          <tr key={m.id}>
            <td>{m.name}</td>
            <td>{m.email}</td>
            <td>{m.role}</td>
          </tr>
        )}
      />
      {(role === "owner" || role === "admin") && <InviteForm workspaceId={workspace.id} canInviteAdmin={role === "owner"} />}
    </main>
  );
}
