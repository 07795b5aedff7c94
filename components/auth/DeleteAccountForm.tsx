"use client";

import { useState, type FormEvent } from "react";
import { resetAnalytics } from "@/lib/analytics-client";
import { FormError } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

export function DeleteAccountForm({ email }: { email: string }) {
  const [confirm, setConfirm] = useState("");
  const { error, run } = useApiAction();

  function erase(e: FormEvent) {
    e.preventDefault();
    void run("Could not delete the account", async () => {
      await api("/api/me", { method: "DELETE", body: { confirm_email: confirm } });
      resetAnalytics();
      window.location.assign("/");
    });
  }

  return (
    <form className="panel danger-zone" onSubmit={erase} aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete account</h2>
      <p className="muted">
        This erases your account, sessions, tokens and memberships. Workspaces where you are the only member are deleted.
      </p>
      {/* Compared as the server compares it: an address's case does not matter. */}
      <label htmlFor="confirm-email">Type {email} to confirm</label>
      <input id="confirm-email" type="email" required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
      <p>
        <button type="submit" className="destructive" disabled={confirm.trim().toLowerCase() !== email.toLowerCase()}>
          Delete my account
        </button>
      </p>
      <FormError error={error} />
    </form>
  );
}
