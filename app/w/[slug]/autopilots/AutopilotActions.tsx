"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, ApiError } from "@/lib/ui/api";

/** Pause/resume and delete, for the autopilot's creator or an owner/admin. */
export function AutopilotActions({ workspaceId, autopilotId, name, enabled }: { workspaceId: string; autopilotId: string; name: string; enabled: boolean }) {
  const router = useRouter();
  const [error, setError] = useState("");
  async function act(fn: () => Promise<unknown>) {
    setError("");
    try {
      await fn();
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not change the autopilot");
    }
  }
  return (
    <>
      <button
        type="button"
        className="secondary"
        aria-label={`${enabled ? "Pause" : "Resume"} ${name}`}
        onClick={() => act(() => api(`/api/autopilots/${autopilotId}`, { method: "PATCH", workspaceId, body: { enabled: !enabled } }))}
      >
        {enabled ? "Pause" : "Resume"}
      </button>{" "}
      <button
        type="button"
        className="secondary"
        aria-label={`Delete ${name}`}
        onClick={() => window.confirm(`Delete ${name} and its run history?`) && act(() => api(`/api/autopilots/${autopilotId}`, { method: "DELETE", workspaceId }))}
      >
        Delete
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
