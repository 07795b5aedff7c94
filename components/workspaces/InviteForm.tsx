"use client";

import { useState, type FormEvent } from "react";
import { api, ApiError } from "@/lib/ui/api";

export function InviteForm({ workspaceId, canInviteAdmin }: { workspaceId: string; canInviteAdmin: boolean }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("member");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function invite(e: FormEvent) {
    e.preventDefault();
    try {
      await api(`/api/workspaces/${workspaceId}/invitations`, { body: { email, role } });
      setMessage({ ok: true, text: `Invitation sent to ${email}` });
      setEmail("");
    } catch (err) {
      setMessage({ ok: false, text: err instanceof ApiError ? err.message : "Could not send the invitation" });
    }
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
      {message && (
        <p role="status" className={message.ok ? "ok" : "error"}>
          {message.text}
        </p>
      )}
    </form>
  );
}
