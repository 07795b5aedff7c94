"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, ApiError } from "@/lib/ui/api";

export function ArchiveAgentButton({ workspaceId, agentId, name }: { workspaceId: string; agentId: string; name: string }) {
  const router = useRouter();
  const [error, setError] = useState("");
  async function archive() {
    if (!window.confirm(`Archive ${name}? It will no longer take new work.`)) return;
    try {
      await api(`/api/agents/${agentId}`, { method: "DELETE", workspaceId });
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not archive");
    }
  }
  return (
    <>
      <button type="button" className="secondary" onClick={archive} aria-label={`Archive ${name}`}>
        Archive
      </button>
      {error && (
        <span role="alert" className="error">
          {" "}
          {error}
        </span>
      )}
    </>
  );
}
