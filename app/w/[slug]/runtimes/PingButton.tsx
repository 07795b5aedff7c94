"use client";

import { useEffect, useRef, useState } from "react";
import { api, ApiError } from "@/lib/ui/api";

type Request = { id: string; status: string; error: string | null };

const WAITING = "waiting for the daemon…";
/** A daemon heartbeats every few seconds: one that has not answered in this long is not coming back soon. */
const GIVE_UP_MS = 30_000;

/**
 * Asks the runtime's daemon to answer (a pending request claimed by its next heartbeat) and polls the answer, for
 * half a minute at most (the server keeps the request longer); polling stops when the row goes away.
 */
export function PingButton({ workspaceId, runtimeId, name }: { workspaceId: string; runtimeId: string; name: string }) {
  const [state, setState] = useState<string | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  async function ping() {
    setState(WAITING);
    try {
      const created = await api<Request>(`/api/runtimes/${runtimeId}/requests`, { workspaceId, body: { kind: "ping" } });
      const deadline = Date.now() + GIVE_UP_MS;
      while (mounted.current) {
        await new Promise((r) => setTimeout(r, 1500));
        if (!mounted.current) return;
        const r = await api<Request>(`/api/runtimes/${runtimeId}/requests/${created.id}`, { workspaceId });
        if (r.status === "completed") return setState("answered");
        if (r.status === "failed" || r.status === "timeout") return setState(r.error ?? r.status);
        if (Date.now() > deadline) return setState("no answer yet: is the daemon still running? Try again later.");
      }
    } catch (err) {
      if (mounted.current) setState(err instanceof ApiError ? err.message : "ping failed");
    }
  }

  return (
    <span className="row">
      <button type="button" className="secondary small" onClick={ping} aria-label={`Ping ${name}`} disabled={state === WAITING}>
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
