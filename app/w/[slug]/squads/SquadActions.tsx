"use client";

import { useRouter } from "next/navigation";
import { ConfirmButton } from "@/components/ui/ConfirmButton";
import { api } from "@/lib/ui/api";

export function DeleteSquadButton({ workspaceId, id, name }: { workspaceId: string; id: string; name: string }) {
  const router = useRouter();
  return (
    <ConfirmButton
      label="Delete"
      ariaLabel={`Delete ${name}`}
      title={`Delete ${name}?`}
      body="The squad goes away; its agents stay. Autopilots that run as this squad stop finding an assignee."
      confirmLabel="Delete squad"
      done={`Deleted squad ${name}`}
      action={async () => {
        await api(`/api/squads/${id}`, { method: "DELETE", workspaceId });
        router.refresh();
      }}
    />
  );
}
