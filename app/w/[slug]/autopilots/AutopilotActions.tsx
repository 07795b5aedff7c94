"use client";

import { useRouter } from "next/navigation";
import { ConfirmButton } from "@/components/ui/ConfirmButton";
import { FormError } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

/** Pause/resume and delete, for the autopilot's creator or an owner/admin. */
export function AutopilotActions({ workspaceId, autopilotId, name, enabled }: { workspaceId: string; autopilotId: string; name: string; enabled: boolean }) {
  const router = useRouter();
  const { error, run } = useApiAction();
  const act = (fn: () => Promise<unknown>) =>
    run("Could not change the autopilot", async () => {
      await fn();
      router.refresh();
    });
  return (
    <>
      <button
        type="button"
        className="secondary small"
        aria-label={`${enabled ? "Pause" : "Resume"} ${name}`}
        onClick={() => act(() => api(`/api/autopilots/${autopilotId}`, { method: "PATCH", workspaceId, body: { enabled: !enabled } }))}
      >
        {enabled ? "Pause" : "Resume"}
      </button>{" "}
      <ConfirmButton
        label="Delete"
        ariaLabel={`Delete ${name}`}
        title={`Delete ${name}?`}
        body="The autopilot, its triggers and its run history are deleted. Issues it created stay."
        confirmLabel="Delete autopilot"
        done={`Deleted autopilot ${name}`}
        action={async () => {
          await api(`/api/autopilots/${autopilotId}`, { method: "DELETE", workspaceId });
          router.refresh();
        }}
      />
      <FormError error={error} inline />
    </>
  );
}
