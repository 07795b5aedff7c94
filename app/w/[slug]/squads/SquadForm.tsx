"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useCloseDialog } from "@/components/ui/Dialog";
import { FormError } from "@/components/ui/FormMessage";
import { useToast } from "@/components/ui/Toast";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

type Squad = { id: string; name: string; leader_id: string; member_ids: string[] };

/** Creates a squad, or (with `squad`) edits its name, leader and members. Lives in a dialog. */
export function SquadForm({ workspaceId, agents, squad }: { workspaceId: string; agents: { id: string; name: string }[]; squad?: Squad }) {
  const router = useRouter();
  const close = useCloseDialog();
  const toast = useToast();
  const prefix = squad ? `squad-${squad.id}` : "squad";
  const [name, setName] = useState(squad?.name ?? "");
  const [leader, setLeader] = useState(squad?.leader_id ?? agents[0]?.id ?? "");
  const [members, setMembers] = useState<string[]>(squad ? squad.member_ids.filter((id) => id !== squad.leader_id) : []);
  const { busy, error, run } = useApiAction();

  function submit(e: FormEvent) {
    e.preventDefault();
    void run(squad ? "Could not save the squad" : "Could not create the squad", async () => {
      const body = { name, leader_id: leader, member_ids: members.filter((id) => id !== leader) };
      if (squad) await api(`/api/squads/${squad.id}`, { method: "PATCH", workspaceId, body });
      else await api("/api/squads", { workspaceId, body });
      if (!squad) {
        setName("");
        setMembers([]);
      }
      router.refresh();
      close();
      toast(squad ? `Saved squad ${name}` : `Created squad ${name}`);
    });
  }

  if (agents.length === 0) return <p className="muted">Create an agent first: a squad needs a leader.</p>;
  return (
    <form onSubmit={submit} aria-label={squad ? `Edit ${squad.name}` : "New squad"}>
      <label htmlFor={`${prefix}-name`}>Name</label>
      <input id={`${prefix}-name`} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      <label htmlFor={`${prefix}-leader`}>Leader</label>
      <select id={`${prefix}-leader`} value={leader} onChange={(e) => setLeader(e.target.value)}>
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
        <button type="submit" disabled={busy}>
          {squad ? "Save squad" : "Create squad"}
        </button>
      </p>
      <FormError error={error} />
    </form>
  );
}
