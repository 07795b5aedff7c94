"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { StatusMessage } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

export function InviteForm({ workspaceId, canInviteAdmin }: { workspaceId: string; canInviteAdmin: boolean }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("member");
  const router = useRouter();
  const { message, run } = useApiAction();

  function invite(e: FormEvent) {
    e.preventDefault();
    void run("Could not send the invitation", async () => {
      await api(`/api/workspaces/${workspaceId}/invitations`, { body: { email, role } });
      setEmail("");
      router.refresh();
      return `Invitation sent to ${email}`;
    });
  }

  return (
    <form className="panel" onSubmit={invite} aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite a teammate</h2>
      <label htmlFor="invite-email">Email</label>
      <input id="invite-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      <label htmlFor="invite-role">Role</label>
      <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value)}>
        <option value="member">Member</option>
        {canInviteAdmin && <option value="admin">Admin</option>}
      </select>
      <p>
        <button type="submit">Send invitation</button>
      </p>
      <StatusMessage message={message} />
    </form>
  );
}
