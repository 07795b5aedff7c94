import { getDb } from "@/lib/db";
import { listAgents } from "@/lib/agents";
import type { Membership } from "@/lib/auth";
import { listMembers } from "@/lib/workspaces";

export type Person = { type: "member" | "agent"; id: string; name: string };

/** Everyone an issue can be assigned to: members, then active agents (labelled so screen readers hear the kind). */
export async function assignablePeople(m: Membership): Promise<Person[]> {
  const db = await getDb();
  const [members, agents] = await Promise.all([listMembers(db, m.workspace.id), listAgents(db, m)]);
  return [
    ...members.map((u) => ({ type: "member" as const, id: u.id, name: u.name || u.email })),
    ...agents.map((a) => ({ type: "agent" as const, id: a.id, name: a.name })),
  ];
}

export function personName(people: Person[], type: string | null, id: string | null): string {
  if (!type || !id) return "Unassigned";
  const p = people.find((x) => x.type === type && x.id === id);
  return p ? (p.type === "agent" ? `${p.name} (agent)` : p.name) : type === "agent" ? "Archived agent" : "Former member";
}
