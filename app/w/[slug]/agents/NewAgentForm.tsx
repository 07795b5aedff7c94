"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { api, ApiError } from "@/lib/ui/api";

type RuntimeOption = { id: string; label: string };

export function NewAgentForm({ workspaceId, runtimes }: { workspaceId: string; runtimes: RuntimeOption[] }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [instructions, setInstructions] = useState("");
  const [runtimeId, setRuntimeId] = useState("");
  const [template, setTemplate] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const agent = await api<{ name: string }>("/api/agents", {
        workspaceId,
        body: { name, instructions: instructions || undefined, runtime_id: runtimeId || undefined, template: template || undefined },
      });
      setMessage({ ok: true, text: `Created agent ${agent.name}` });
      setName("");
      setInstructions("");
      setTemplate("");
      router.refresh();
    } catch (err) {
      setMessage({ ok: false, text: err instanceof ApiError ? err.message : "Could not create the agent" });
    } finally {
      setBusy(false);
    }
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
      <input id="agent-template" maxLength={100} value={template} onChange={(e) => setTemplate(e.target.value)} />
      <p>
        <button type="submit" disabled={busy}>
          Create agent
        </button>
      </p>
      {message && (
        <p role="status" className={message.ok ? "ok" : "error"}>
          {message.text}
        </p>
      )}
    </form>
  );
}
