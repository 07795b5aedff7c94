"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { StatusMessage } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

export function NewSquadForm({ workspaceId, agents }: { workspaceId: string; agents: { id: string; name: string }[] }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [leader, setLeader] = useState(agents[0]?.id ?? "");
  const [members, setMembers] = useState<string[]>([]);
  const { message, run } = useApiAction();

  function submit(e: FormEvent) {
    e.preventDefault();
    void run("Could not create the squad", async () => {
      await api("/api/squads", { workspaceId, body: { name, leader_id: leader, member_ids: members } });
      setName("");
      setMembers([]);
      router.refresh();
      return `Created squad ${name}`;
    });
  }

  if (agents.length === 0) return <p className="muted">Create an agent first: a squad needs a leader.</p>;
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="new-squad-heading">
      <h2 id="new-squad-heading">New squad</h2>
      <label htmlFor="squad-name">Name</label>
      <input id="squad-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      <label htmlFor="squad-leader">Leader</label>
      <select id="squad-leader" value={leader} onChange={(e) => setLeader(e.target.value)}>
        {agents.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </select>
      <fieldset>
        <legend>Members</legend>
        {agents
          .filter((a) => a.id !== leader)
          .map((a) => (
            <label key={a.id} style={{ fontWeight: 400 }}>
              <input
                type="checkbox"
                checked={members.includes(a.id)}
                onChange={(e) => setMembers(e.target.checked ? [...members, a.id] : members.filter((x) => x !== a.id))}
              />{" "}
              {a.name}
            </label>
          ))}
      </fieldset>
      <p>
        <button type="submit">Create squad</button>
      </p>
      <StatusMessage message={message} />
    </form>
  );
}
