"use client";

import { useState } from "react";
import { api, ApiError } from "@/lib/ui/api";

export function AcceptInvitationButton({ id }: { id: string }) {
  const [error, setError] = useState<string | null>(null);
  async function accept() {
    try {
      const { workspace } = await api<{ workspace: { slug: string } }>(`/api/invitations/${id}/accept`, { method: "POST" });
      window.location.assign(`/w/${workspace.slug}`);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not accept the invitation");
    }
  }
  return (
    <>
      <button type="button" onClick={accept}>
        Accept invitation
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </>
  );
}
