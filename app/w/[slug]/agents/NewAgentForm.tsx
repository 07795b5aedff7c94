"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { StatusMessage } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

type RuntimeOption = { id: string; label: string };

export function NewAgentForm({ workspaceId, runtimes }: { workspaceId: string; runtimes: RuntimeOption[] }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [instructions, setInstructions] = useState("");
  const [runtimeId, setRuntimeId] = useState("");
  const [template, setTemplate] = useState("");
  const { busy, message, run } = useApiAction();

  function submit(e: FormEvent) {
    e.preventDefault();
    void run("Could not create the agent", async () => {
      const agent = await api<{ name: string }>("/api/agents", {
        workspaceId,
        body: { name, instructions: instructions || undefined, runtime_id: runtimeId || undefined, template: template || undefined },
      });
      setName("");
      setInstructions("");
      setTemplate("");
      router.refresh();
      return `Created agent ${agent.name}`;
    });
  }

  return (
    <form className="panel" onSubmit={submit} aria-labelledby="new-agent-heading">
      <h2 id="new-agent-heading">New agent</h2>
      <label htmlFor="agent-name">Name</label>
      <input id="agent-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      <label htmlFor="agent-instructions">Instructions</label>
      <textarea id="agent-instructions" value={instructions} onChange={(e) => setInstructions(e.target.value)} />
      <label htmlFor="agent-runtime">Runtime</label>
      <select id="agent-runtime" value={runtimeId} onChange={(e) => setRuntimeId(e.target.value)}>
        <option value="">None yet</option>
        {runtimes.map((r) => (
          <option key={r.id} value={r.id}>
            {r.label}
          </option>
        ))}
      </select>
      <label htmlFor="agent-template">Template (optional)</label>
      <input id="agent-template" maxLength={64} pattern="[A-Za-z0-9][A-Za-z0-9_\-]*" placeholder="e.g. code-reviewer" value={template} onChange={(e) => setTemplate(e.target.value)} />
      <p>
        <button type="submit" disabled={busy}>
          Create agent
        </button>
      </p>
      <StatusMessage message={message} />
    </form>
  );
}
