import { POST as createWorkspace } from "@/app/api/workspaces/route";
import { call, signIn, type Session } from "./api";

/** A signed-in owner with a fresh workspace; `headers` scope workspace routes to it. */
export async function ownerWithWorkspace(name = "Acme Robotics") {
  const owner = await signIn();
  const res = await call(createWorkspace, { path: "/api/workspaces", body: { name }, session: owner });
  if (res.status !== 201) throw new Error(`create workspace failed: ${res.status} ${JSON.stringify(res.body)}`);
  const workspace = res.body as { id: string; slug: string; issue_prefix: string };
  return { owner, workspace, headers: { "x-workspace-id": workspace.id } as Record<string, string> };
}

export type { Session };
