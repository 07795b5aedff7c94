"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormError } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

export function NewChatForm({ workspaceId, slug, agents }: { workspaceId: string; slug: string; agents: { id: string; name: string }[] }) {
  const router = useRouter();
  const [agentId, setAgentId] = useState(agents[0]?.id ?? "");
  const { error, run } = useApiAction();

  function submit(e: FormEvent) {
    e.preventDefault();
    void run("Could not start the chat", async () => {
      const s = await api<{ id: string }>("/api/chat/sessions", { workspaceId, body: { agent_id: agentId } });
      router.push(`/w/${slug}/chat/${s.id}`);
    });
  }

  if (agents.length === 0) return <p className="muted">Create an agent first to chat with it.</p>;
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="new-chat-heading">
      <h2 id="new-chat-heading">New chat</h2>
      <label htmlFor="chat-agent">Agent</label>
      <select id="chat-agent" value={agentId} onChange={(e) => setAgentId(e.target.value)}>
        {agents.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </select>
      <p>
        <button type="submit">Start chat</button>
      </p>
      <FormError error={error} />
    </form>
  );
}
