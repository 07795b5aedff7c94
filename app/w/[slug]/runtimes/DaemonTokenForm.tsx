"use client";

import { useState, type FormEvent } from "react";
import { api, ApiError } from "@/lib/ui/api";

/** Owners/admins mint a workspace daemon token; it is shown once, with the command that uses it. */
export function DaemonTokenForm({ workspaceId }: { workspaceId: string }) {
  const [name, setName] = useState("My laptop");
  const [token, setToken] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api<{ token: string }>("/api/runtimes/daemon-tokens", { workspaceId, body: { name } });
      setToken(created.token);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not create the token");
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel" onSubmit={submit} aria-labelledby="daemon-token-heading">
      <h2 id="daemon-token-heading">Connect a daemon</h2>
      <label htmlFor="daemon-token-name">Token name</label>
      <input id="daemon-token-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      <p>
        <button type="submit" disabled={busy}>
          Create daemon token
        </button>
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {token && (
        <div role="status">
          <p>Copy it now; it is not shown again.</p>
          <pre>
            <code>{`TANDEM_SERVER_URL=${typeof window === "undefined" ? "" : window.location.origin} TANDEM_TOKEN=${token} TANDEM_WORKSPACE_ID=${workspaceId} npm run daemon`}</code>
          </pre>
        </div>
      )}
    </form>
  );
}
