"use client";

import { useRouter } from "next/navigation";
import { ConfirmButton } from "@/components/ui/ConfirmButton";
import { api } from "@/lib/ui/api";

export function ArchiveAgentButton({ workspaceId, agentId, name }: { workspaceId: string; agentId: string; name: string }) {
  const router = useRouter();
  return (
    <ConfirmButton
      label="Archive"
      ariaLabel={`Archive ${name}`}
      title={`Archive ${name}?`}
      body={`${name} will no longer take new work. Its issues and past tasks stay.`}
      confirmLabel="Archive agent"
      done={`Archived ${name}`}
      action={async () => {
        await api(`/api/agents/${agentId}`, { method: "DELETE", workspaceId });
        router.refresh();
      }}
    />
  );
}
