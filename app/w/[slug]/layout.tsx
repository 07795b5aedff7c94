import Link from "next/link";
import type { ReactNode } from "react";
import { AnalyticsWorkspace } from "@/components/analytics/AnalyticsWorkspace";
import { IdentifySession } from "@/components/analytics/IdentifySession";
import { LogoutButton } from "@/components/auth/LogoutButton";
import { FeedbackButton } from "@/components/feedback/FeedbackButton";
import { pageWorkspace } from "@/lib/ui/workspace";

const sections = [
  ["issues", "Issues"],
  ["agents", "Agents"],
  ["squads", "Squads"],
  ["autopilots", "Autopilots"],
  ["chat", "Chat"],
  ["runtimes", "Runtimes"],
] as const;

export default async function WorkspaceLayout({ children, params }: { children: ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { workspace, user } = await pageWorkspace(slug);
  return (
    <>
      <IdentifySession user={{ id: user.id, email: user.email, name: user.name }} />
      <AnalyticsWorkspace id={workspace.id} />
      <header className="topbar">
        <nav aria-label="Workspace">
          <Link className="brand" href={`/w/${workspace.slug}`}>
            {workspace.name}
          </Link>
          {sections.map(([path, label]) => (
            <Link key={path} href={`/w/${workspace.slug}/${path}`}>
              {label}
            </Link>
          ))}
        </nav>
        <div className="row">
          <FeedbackButton workspaceId={workspace.id} />
          <Link href="/workspaces">Switch workspace</Link>
          <Link href="/settings">Settings</Link>
          <LogoutButton />
        </div>
      </header>
      {children}
    </>
  );
}
