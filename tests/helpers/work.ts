/** Work-domain fixtures: agents through the real route, runtimes inserted directly (the daemon API has its own tests). */
import { randomBytes } from "node:crypto";
import { POST as createAgentRoute } from "@/app/api/agents/route";
import { getDb } from "@/lib/db";
import { runtimes } from "@/lib/db/schema";
import { call, type Session } from "./api";

export async function insertRuntime(workspaceId: string, opts: { status?: "online" | "offline"; provider?: string; mode?: string } = {}) {
  const [rt] = await (await getDb())
    .insert(runtimes)
    .values({
      workspaceId,
      daemonId: `d-${randomBytes(4).toString("hex")}`,
      provider: opts.provider ?? "claude",
      name: "Claude",
      runtimeMode: opts.mode ?? "local",
      status: opts.status ?? "online",
    })
    .returning();
  return rt!;
}

export async function newAgent(session: Session, headers: Record<string, string>, body: Record<string, unknown> = {}) {
  const res = await call(createAgentRoute, { path: "/api/agents", session, headers, body: { name: "Builder", ...body } });
  if (res.status !== 201) throw new Error(`create agent failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string; runtime_id: string | null };
}
