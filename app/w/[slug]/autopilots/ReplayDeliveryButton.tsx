"use client";

import { useRouter } from "next/navigation";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

export function ReplayDeliveryButton({ workspaceId, autopilotId, deliveryId, label }: { workspaceId: string; autopilotId: string; deliveryId: string; label: string }) {
  const router = useRouter();
  const action = useApiAction();
  function replay() {
    void action.run("Could not replay", async () => {
      const d = await api<{ status: string }>(`/api/autopilots/${autopilotId}/deliveries/${deliveryId}/replay`, { method: "POST", workspaceId });
      router.refresh();
      return `Replayed: ${d.status}`;
    });
  }
  return (
    <>
      <button type="button" className="secondary" onClick={replay} disabled={action.busy} aria-label={label}>
        Replay
      </button>{" "}
      <span role="status">{action.message?.text}</span>
    </>
  );
}
