"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useCloseDialog } from "@/components/ui/Dialog";
import { Field, fieldError } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormMessage";
import { useToast } from "@/components/ui/Toast";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

type RuntimeOption = { id: string; label: string };
type Agent = { id: string; name: string; instructions: string; runtime_id: string | null };

const FIELDS = ["name", "instructions", "runtime_id", "template"] as const;

/**
 * Creates an agent, or (with `agent`) edits its name, instructions and runtime — `PATCH /api/agents/[id]`.
 * An agent without a runtime cannot run anything, so the runtime picker says so.
 */
export function AgentForm({ workspaceId, runtimes, agent }: { workspaceId: string; runtimes: RuntimeOption[]; agent?: Agent }) {
  const router = useRouter();
  // "/w/<slug>" of the page the form is on (the agents page, or an issue's), for the link to the runtimes page.
  const workspaceBase = usePathname().split("/").slice(0, 3).join("/");
  const close = useCloseDialog();
  const toast = useToast();
  const p = agent ? `agent-${agent.id}` : "agent";
  const [name, setName] = useState(agent?.name ?? "");
  const [instructions, setInstructions] = useState(agent?.instructions ?? "");
  const [runtimeId, setRuntimeId] = useState(agent?.runtime_id ?? "");
  const [template, setTemplate] = useState("");
  const { busy, error, run } = useApiAction();
  const err = fieldError(error, FIELDS);
  const errorOf = (f: (typeof FIELDS)[number]) => (err?.field === f ? err.message : null);

  function submit(e: FormEvent) {
    e.preventDefault();
    void run(agent ? "Could not save the agent" : "Could not create the agent", async () => {
      if (agent) {
        await api(`/api/agents/${agent.id}`, { method: "PATCH", workspaceId, body: { name, instructions, runtime_id: runtimeId || null } });
      } else {
        await api("/api/agents", {
          workspaceId,
          body: { name, instructions: instructions || undefined, runtime_id: runtimeId || undefined, template: template || undefined },
        });
        setName("");
        setInstructions("");
        setTemplate("");
      }
      router.refresh();
      close();
      toast(agent ? `Saved agent ${name}` : `Created agent ${name}`);
    });
  }

  return (
    <form onSubmit={submit} aria-label={agent ? `Edit ${agent.name}` : "New agent"}>
      <Field id={`${p}-name`} label="Name" error={errorOf("name")}>
        <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field id={`${p}-instructions`} label="Instructions" error={errorOf("instructions")}>
        <textarea value={instructions} onChange={(e) => setInstructions(e.target.value)} />
      </Field>
      <Field
        id={`${p}-runtime`}
        label="Runtime"
        error={errorOf("runtime_id")}
        hint={
          runtimes.length === 0 ? (
            <>
              No runtime is connected yet: connect one on the <Link href={`${workspaceBase}/runtimes`}>Runtimes page</Link>, then come back.
            </>
          ) : (
            "Where the agent's tasks run. Without one, its tasks wait."
          )
        }
      >
        <select value={runtimeId} onChange={(e) => setRuntimeId(e.target.value)}>
          <option value="">{runtimes.length === 0 ? "None yet" : "None"}</option>
          {runtimes.map((r) => (
            <option key={r.id} value={r.id}>
              {r.label}
            </option>
          ))}
        </select>
      </Field>
      {!agent && (
        <Field id={`${p}-template`} label="Template (optional)" error={errorOf("template")}>
          <input maxLength={64} pattern="[A-Za-z0-9][A-Za-z0-9_\-]*" placeholder="e.g. code-reviewer" value={template} onChange={(e) => setTemplate(e.target.value)} />
        </Field>
      )}
      <p>
        <button type="submit" disabled={busy}>
          {agent ? "Save agent" : "Create agent"}
        </button>
      </p>
      <FormError error={err && !err.field ? err.message : null} />
    </form>
  );
}
