"use client";

import { useState, type FormEvent } from "react";
import { resetAnalytics } from "@/lib/analytics-client";
import { api, ApiError } from "@/lib/ui/api";

export function DeleteAccountForm({ email }: { email: string }) {
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<string | null>(null);

  async function erase(e: FormEvent) {
    e.preventDefault();
    try {
      await api("/api/me", { method: "DELETE", body: { confirm_email: confirm } });
      resetAnalytics();
      window.location.assign("/");
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not delete the account");
    }
  }

  return (
    <form className="panel" onSubmit={erase} aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete account</h2>
      <p className="muted">
        This erases your account, sessions, tokens and memberships. Workspaces where you are the only member are deleted.
      </p>
      <label htmlFor="confirm-email">Type {email} to confirm</label>
      <input id="confirm-email" type="email" required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
      <p>
        <button type="submit" disabled={confirm !== email}>
          Delete my account
        </button>
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
