"use client";

import { useState, type FormEvent } from "react";
import { FormError } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

export function CreateWorkspaceForm() {
  const [name, setName] = useState("");
  const { busy, error, run } = useApiAction();

  function create(e: FormEvent) {
    e.preventDefault();
    void run(
      "Could not create the workspace",
      async () => {
        const ws = await api<{ slug: string }>("/api/workspaces", { body: { name } });
        window.location.assign(`/w/${ws.slug}`);
      },
      { keepBusy: true },
    );
  }

  return (
    <form className="panel" onSubmit={create} aria-labelledby="create-ws-heading">
      <h2 id="create-ws-heading">Create a workspace</h2>
      <label htmlFor="workspace-name">Workspace name</label>
      <input id="workspace-name" required maxLength={80} value={name} onChange={(e) => setName(e.target.value)} />
      <p>
        <button type="submit" disabled={busy}>
          Create workspace
        </button>
      </p>
      <FormError error={error} />
    </form>
  );
}
