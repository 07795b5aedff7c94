import Link from "next/link";
import type { ReactNode } from "react";
import { AnalyticsWorkspace } from "@/components/analytics/AnalyticsWorkspace";
import { getDb } from "@/lib/db";
import { listWorkspaces } from "@/lib/workspaces";
import { IdentifySession } from "@/components/analytics/IdentifySession";
import { LogoutButton } from "@/components/auth/LogoutButton";
import { FeedbackButton } from "@/components/feedback/FeedbackButton";
import { AppShell } from "@/components/shell/AppShell";
import { pageWorkspace } from "@/lib/ui/workspace";

export default async function WorkspaceLayout({ children, params }: { children: ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { workspace, user } = await pageWorkspace(slug);
  const workspaces = await listWorkspaces(await getDb(), user.id);
  return (
    <>
      <IdentifySession user={{ id: user.id, email: user.email, name: user.name }} />
      <AnalyticsWorkspace id={workspace.id} />
      <AppShell
        workspace={{ slug: workspace.slug, name: workspace.name }}
        workspaces={workspaces.map((w) => ({ slug: w.slug, name: w.name }))}
        footer={
          <>
            <FeedbackButton workspaceId={workspace.id} />
            <Link href="/settings">Settings</Link>
            <LogoutButton />
          </>
        }
      >
        {children}
      </AppShell>
    </>
  );
}
