"use client";

import { useRouter } from "next/navigation";
import { describeSkipReason } from "@/lib/autopilots/describe";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

type Run = { status: string; skip_reason: string | null; failure_reason: string | null };

export function RunNowButton({ workspaceId, autopilotId, name }: { workspaceId: string; autopilotId: string; name: string }) {
  const router = useRouter();
  const action = useApiAction();
  function runNow() {
    void action.run("Could not run", async () => {
      const r = await api<Run>(`/api/autopilots/${autopilotId}/runs`, { method: "POST", workspaceId });
      router.refresh();
      if (r.status === "skipped") {
        const why = describeSkipReason(r.skip_reason);
        return why.charAt(0).toUpperCase() + why.slice(1);
      }
      return r.status === "failed" ? `Failed: ${r.failure_reason}` : "Started";
    });
  }
  return (
    <>
      <button type="button" className="secondary small" onClick={runNow}>
        {/* The name is read out but not shown: the accessible name "Run X now" still contains the visible words. */}
        Run <span className="visually-hidden">{name} </span>now
      </button>{" "}
      <span role="status">{action.message?.text}</span>
    </>
  );
}
