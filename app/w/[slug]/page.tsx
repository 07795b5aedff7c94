import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/lib/db";
import { listInvitations, listMembers } from "@/lib/workspaces";
import { Badge, statusTone } from "@/components/ui/Badge";
import { EmptyState } from "@/components/ui/EmptyState";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { Table } from "@/components/ui/Table";
import { LiveRefresh } from "@/components/ui/LiveRefresh";
import { pageWorkspace } from "@/lib/ui/workspace";
import { workspaceOverview } from "@/lib/ui/overview";
import { MemberActions, RevokeInvitationButton } from "@/components/workspaces/MemberActions";
import { InviteForm } from "@/components/workspaces/InviteForm";

export const metadata: Metadata = { title: "Home" };

export default async function WorkspaceHome({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { workspace, role, user } = await pageWorkspace(slug);
  const db = await getDb();
  const canInvite = role === "owner" || role === "admin";
  const [members, overview, invitations] = await Promise.all([
    listMembers(db, workspace.id),
    workspaceOverview(db, workspace.id),
    canInvite ? listInvitations(db, workspace.id) : Promise.resolve([]),
  ]);
  const base = `/w/${workspace.slug}`;
  const steps = [
    { done: overview.checklist.runtime, label: "Connect a runtime (the daemon on your machine)", href: `${base}/runtimes` },
    { done: overview.checklist.agent, label: "Create an agent and give it the runtime", href: `${base}/agents` },
    { done: overview.checklist.issue, label: "Create an issue and assign it to the agent", href: `${base}/issues` },
    { done: overview.checklist.team, label: "Invite a teammate", href: "#members" },
  ];
  const left = steps.filter((s) => !s.done).length;
  const prefix = workspace.issuePrefix;
  return (
    <main id="main">
      <LiveRefresh ms={5000} />
      <div className="page-head">
        <h1>{workspace.name}</h1>
        <span className="muted">
          Issue prefix <Badge>{prefix}</Badge> · your role: {role}
        </span>
      </div>
      {left > 0 && (
        <section className="panel" aria-labelledby="getting-started">
          <h2 id="getting-started" style={{ marginTop: 0 }}>
            Getting started ({steps.length - left} of {steps.length} done)
          </h2>
          <ol className="checklist" aria-label="Getting started checklist">
            {steps.map((s) => (
              <li key={s.label} data-done={s.done}>
                <span className="check" aria-hidden="true">
                  {s.done ? "✓" : "○"}
                </span>{" "}
                {s.done ? <span>{s.label}</span> : <Link href={s.href}>{s.label}</Link>}
                <span className="visually-hidden">{s.done ? " (done)" : " (to do)"}</span>
              </li>
            ))}
          </ol>
        </section>
      )}
      <div className="grid-2">
        <section aria-labelledby="open-issues">
          <h2 id="open-issues">
            Open issues <span className="muted">({overview.openCount})</span>
          </h2>
          {overview.openIssues.length === 0 ? (
            <EmptyState title="No open issues" action={<Link href={`${base}/issues`}>Create an issue</Link>}>
              Issues are the work people and agents pick up.
            </EmptyState>
          ) : (
            <ul aria-label="Open issues">
              {overview.openIssues.map((i) => (
                <li key={i.id}>
                  <Link href={`${base}/issues/${prefix}-${i.number}`}>
                    {prefix}-{i.number} {i.title}
                  </Link>{" "}
                  <Badge tone={statusTone(i.status)}>{i.status.replace("_", " ")}</Badge>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="agents-at-work">
          <h2 id="agents-at-work">Agents at work</h2>
          {overview.working.length === 0 ? (
            <p className="muted">No agent is working right now. Assign an issue to an agent to start one.</p>
          ) : (
            <ul aria-label="Agents at work">
              {overview.working.map((w, n) => (
                <li key={n}>
                  <strong>{w.agentName}</strong> <Badge tone={statusTone(w.status)}>{w.status}</Badge>{" "}
                  {w.issueNumber !== null ? (
                    <>
                      on{" "}
                      <Link href={`${base}/issues/${prefix}-${w.issueNumber}`}>
                        {prefix}-{w.issueNumber} {w.issueTitle}
                      </Link>{" "}
                    </>
                  ) : w.chatSessionId ? (
                    <>
                      in <Link href={`${base}/chat/${w.chatSessionId}`}>a chat</Link>{" "}
                    </>
                  ) : null}
                  <span className="muted">
                    since <RelativeTime iso={w.startedAt ?? w.createdAt} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <h2 id="members">Members</h2>
      <Table
        label="Members"
        columns={["Name", "Email", "Role", <span className="visually-hidden">Actions</span>]}
        items={members}
        row={(m) => (
          <tr key={m.id}>
            <td>{m.name}</td>
            <td>{m.email}</td>
            <td>{m.role}</td>
            <td>
              <MemberActions
                workspaceId={workspace.id}
                workspaceName={workspace.name}
                userId={m.id}
                name={m.name || m.email}
                role={m.role as "owner" | "admin" | "member"}
                viewerId={user.id}
                viewerRole={role}
              />
            </td>
          </tr>
        )}
      />
      {canInvite && (
        <>
          <h2>Invitations</h2>
          <Table
            label="Invitations"
            columns={["Email", "Role", "Status", "Sent", <span className="visually-hidden">Actions</span>]}
            items={invitations}
            empty="No invitations sent yet."
            row={(i) => (
              <tr key={i.id}>
                <td>{i.email}</td>
                <td>{i.role}</td>
                <td>
                  <Badge tone={statusTone(i.status)}>{i.status}</Badge>
                </td>
                <td>
                  <RelativeTime iso={i.created_at} />
                </td>
                <td>{i.status === "pending" && <RevokeInvitationButton workspaceId={workspace.id} invitationId={i.id} email={i.email} />}</td>
              </tr>
            )}
          />
          <InviteForm workspaceId={workspace.id} canInviteAdmin={role === "owner"} />
        </>
      )}
    </main>
  );
}
