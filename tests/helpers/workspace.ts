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

/** Signs in a new user and makes them a member of the workspace with this role (inserted directly: invitations have their own tests). */
export async function addMember(workspaceId: string, role: "owner" | "admin" | "member" = "member"): Promise<Session> {
  const { getDb } = await import("@/lib/db");
  const { members } = await import("@/lib/db/schema");
  const user = await signIn();
  await (await getDb()).insert(members).values({ workspaceId, userId: user.user.id, role });
  return user;
}
