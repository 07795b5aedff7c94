"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

const SETUP_ERRORS: Record<string, string> = {
  missing_params: "GitHub did not send the installation back.",
  invalid_state: "The connect link expired or was already used. Start again.",
  bad_installation_id: "GitHub sent an unusable installation id.",
  bad_workspace: "The workspace no longer exists.",
  persist_failed: "The installation could not be saved. Try again.",
  installation_taken: "This GitHub installation is connected to another workspace. Remove it there first.",
  unknown_installation:
    "GitHub has not announced this installation to Tandem. Check that the GitHub App's webhook reaches Tandem; if the app was already installed on that account, uninstall it on GitHub and connect again.",
};

/** The outcome of the GitHub setup redirect (`?github_connected=1` / `?github_error=...`). */
export function GithubSetupNotice() {
  const q = useSearchParams();
  if (q.get("github_connected") === "1") return <p role="status">GitHub connected.</p>;
  const error = q.get("github_error");
  if (error) return <p role="alert">{SETUP_ERRORS[error] ?? "GitHub could not be connected."}</p>;
  return null;
}

export function ConnectGithubButton({ workspaceId, workspaceName }: { workspaceId: string; workspaceName: string }) {
  const action = useApiAction();
  function connect() {
    void action.run(
      "Could not start the GitHub connection",
      async () => {
        const r = await api<{ url: string; configured: boolean }>(`/api/workspaces/${workspaceId}/github/connect`);
        if (!r.configured || !r.url) throw new Error("not configured");
        window.location.assign(r.url);
      },
      { keepBusy: true },
    );
  }
  return (
    <p>
      <button type="button" onClick={connect} disabled={action.busy} aria-label={`Connect GitHub to ${workspaceName}`}>
        Connect GitHub
      </button>{" "}
      {action.error && <span role="alert">{action.error}</span>}
    </p>
  );
}

export function RemoveInstallationButton({ workspaceId, installationId, label }: { workspaceId: string; installationId: string; label: string }) {
  const router = useRouter();
  const action = useApiAction();
  function remove() {
    if (!window.confirm(`Remove the GitHub installation ${label}?`)) return;
    void action.run("Could not remove the installation", async () => {
      await api(`/api/workspaces/${workspaceId}/github/installations/${installationId}`, { method: "DELETE" });
      router.refresh();
    });
  }
  return (
    <>
      <button type="button" className="secondary" onClick={remove} disabled={action.busy} aria-label={`Remove GitHub installation ${label}`}>
        Remove
      </button>
      {action.error && <span role="alert"> {action.error}</span>}
    </>
  );
}

type Balance = Record<string, unknown>;

/** The account's cloud credit balance, from the fleet through `/api/cloud-billing/balance`. */
export function BillingBalance() {
  const [balance, setBalance] = useState<Balance | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    api<Balance>("/api/cloud-billing/balance", { signal: ctrl.signal })
      .then(setBalance)
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError(err instanceof Error ? err.message : "unavailable");
      });
    return () => ctrl.abort();
  }, []);
  if (error) return <p role="alert">Balance unavailable: {error}</p>;
  if (!balance) return <p className="muted">Loading balance…</p>;
  const amount = balance.balance_cents ?? balance.balance ?? balance.credits;
  const currency = typeof balance.currency === "string" ? balance.currency.toUpperCase() : "";
  return (
    <p aria-label="Cloud balance">
      Balance:{" "}
      <strong>
        {typeof balance.balance_cents === "number" ? (balance.balance_cents / 100).toFixed(2) : String(amount ?? "—")} {currency}
      </strong>
    </p>
  );
}
