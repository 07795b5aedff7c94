import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/lib/db";
import { listWorkspaces } from "@/lib/workspaces";
import { requirePageUser } from "@/lib/ui/session";
import { CreateWorkspaceForm } from "@/components/workspaces/CreateWorkspaceForm";
import { IdentifySession } from "@/components/analytics/IdentifySession";
import { LogoutButton } from "@/components/auth/LogoutButton";
import { FeedbackButton } from "@/components/feedback/FeedbackButton";

export const metadata: Metadata = { title: "Your workspaces" };

export default async function WorkspacesPage() {
  const user = await requirePageUser("/workspaces");
  const workspaces = await listWorkspaces(await getDb(), user.id);
  return (
    <main id="main">
      <IdentifySession user={{ id: user.id, email: user.email, name: user.name }} />
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h1>Your workspaces</h1>
        <div className="row">
          <FeedbackButton />
          <LogoutButton />
        </div>
      </div>
      {workspaces.length === 0 ? (
        <p className="muted">You are not in any workspace yet. Create one below.</p>
      ) : (
        <ul>
          {workspaces.map((w) => (
            <li key={w.id}>
              <Link href={`/w/${w.slug}`}>{w.name}</Link> <span className="badge">{w.role}</span>
            </li>
          ))}
        </ul>
      )}
      <CreateWorkspaceForm />
    </main>
  );
}
