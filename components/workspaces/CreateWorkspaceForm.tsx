"use client";

import { useState, type FormEvent } from "react";
import { api, ApiError } from "@/lib/ui/api";

export function CreateWorkspaceForm() {
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const ws = await api<{ slug: string }>("/api/workspaces", { body: { name } });
      window.location.assign(`/w/${ws.slug}`);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not create the workspace");
      setBusy(false);
    }
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
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
