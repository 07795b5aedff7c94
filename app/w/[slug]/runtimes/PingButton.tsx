"use client";

import { useState } from "react";
import { api, ApiError } from "@/lib/ui/api";

type Request = { id: string; status: string; error: string | null };

/** Asks the runtime's daemon to answer (a pending request claimed by its next heartbeat) and polls the answer. */
export function PingButton({ workspaceId, runtimeId, name }: { workspaceId: string; runtimeId: string; name: string }) {
  const [state, setState] = useState<string | null>(null);

  async function ping() {
    setState("waiting for the daemon…");
    try {
      const created = await api<Request>(`/api/runtimes/${runtimeId}/requests`, { workspaceId, body: { kind: "ping" } });
      for (;;) {
        await new Promise((r) => setTimeout(r, 1500));
        const r = await api<Request>(`/api/runtimes/${runtimeId}/requests/${created.id}`, { workspaceId });
        if (r.status === "completed") return setState("answered");
        if (r.status === "failed" || r.status === "timeout") return setState(r.error ?? r.status);
      }
    } catch (err) {
      setState(err instanceof ApiError ? err.message : "ping failed");
    }
  }

  return (
    <span className="row">
      <button type="button" className="secondary small" onClick={ping} aria-label={`Ping ${name}`} disabled={state === "waiting for the daemon…"}>
        Ping
      </button>
      {state && (
        <span className="muted" role="status">
          {state}
        </span>
      )}
    </span>
  );
}
