"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, ApiError } from "@/lib/ui/api";

type Run = { status: string; skip_reason: string | null; failure_reason: string | null };

export function RunNowButton({ workspaceId, autopilotId, name }: { workspaceId: string; autopilotId: string; name: string }) {
  const router = useRouter();
  const [result, setResult] = useState("");
  async function run() {
    setResult("");
    try {
      const r = await api<Run>(`/api/autopilots/${autopilotId}/runs`, { method: "POST", workspaceId });
      setResult(r.status === "skipped" ? `Skipped: ${r.skip_reason?.replace("_", " ")}` : r.status === "failed" ? `Failed: ${r.failure_reason}` : "Started");
      router.refresh();
    } catch (err) {
      setResult(err instanceof ApiError ? err.message : "Could not run");
    }
  }
  return (
    <>
      <button type="button" className="secondary" onClick={run} aria-label={`Run ${name} now`}>
        Run now
      </button>{" "}
      <span role="status">{result}</span>
    </>
  );
}
