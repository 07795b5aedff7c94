"use client";

import { useRouter } from "next/navigation";
import { TaskStatus } from "./TaskStatus";

/** The issue page's task panel: when the agent's task ends, the page re-renders (new status, the answer as a comment). */
export function IssueTaskPanel(props: { workspaceId: string; issueId: string; refreshKey: string; agentsHref: string; runtimesHref: string }) {
  const router = useRouter();
  return <TaskStatus {...props} onFinished={() => router.refresh()} />;
}
