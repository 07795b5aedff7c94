"use client";

import { FormError } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

export function AcceptInvitationButton({ id }: { id: string }) {
  const { busy, error, run } = useApiAction();
  function accept() {
    void run("Could not accept the invitation", async () => {
      const { workspace } = await api<{ workspace: { slug: string } }>(`/api/invitations/${id}/accept`, { method: "POST" });
      window.location.assign(`/w/${workspace.slug}`);
    }, { keepBusy: true });
  }
  return (
    <>
      <button type="button" onClick={accept} disabled={busy}>
        Accept invitation
      </button>
      <FormError error={error} />
    </>
  );
}
