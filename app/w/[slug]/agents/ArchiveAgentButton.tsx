"use client";

import { useRouter } from "next/navigation";
import { FormError } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

export function ArchiveAgentButton({ workspaceId, agentId, name }: { workspaceId: string; agentId: string; name: string }) {
  const router = useRouter();
  const { error, run } = useApiAction();
  function archive() {
    if (!window.confirm(`Archive ${name}? It will no longer take new work.`)) return;
    void run("Could not archive", async () => {
      await api(`/api/agents/${agentId}`, { method: "DELETE", workspaceId });
      router.refresh();
    });
  }
  return (
    <>
      <button type="button" className="secondary" onClick={archive} aria-label={`Archive ${name}`}>
        Archive
      </button>
      <FormError error={error} inline />
    </>
  );
}
