"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmButton } from "@/components/ui/ConfirmButton";
import { CopyField } from "@/components/ui/CopyButton";
import { StatusMessage } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

/**
 * A webhook trigger's upkeep, for the autopilot's creator or an owner/admin: a new secret URL (the old one stops
 * working; the new one is shown once, as at creation) and the optional signing secret (`X-Hub-Signature-256`),
 * set, replaced or cleared; only its last four characters are ever shown.
 */
export function WebhookTriggerControls(props: { workspaceId: string; autopilotId: string; triggerId: string; name: string; secretHint: string | null }) {
  const router = useRouter();
  const base = `/api/autopilots/${props.autopilotId}/triggers/${props.triggerId}`;
  const [url, setUrl] = useState<string | null>(null);
  const [secret, setSecret] = useState("");
  const action = useApiAction();

  function saveSecret(e: { preventDefault(): void }, value: string) {
    e.preventDefault();
    void action.run("Could not save the signing secret", async () => {
      await api(`${base}/signing-secret`, { method: "PUT", workspaceId: props.workspaceId, body: { signing_secret: value } });
      setSecret("");
      router.refresh();
      return value ? "Signing secret saved" : "Signing secret removed";
    });
  }

  return (
    <details className="trigger-controls">
      <summary>Manage webhook</summary>
      <ConfirmButton
        label="New URL"
        ariaLabel={`New webhook URL for ${props.name}`}
        title={`A new webhook URL for ${props.name}?`}
        body="The current URL stops working at once: senders must be given the new one."
        confirmLabel="Make a new URL"
        done="New webhook URL made"
        action={async () => {
          const t = await api<{ webhook_path: string }>(`${base}/rotate`, { method: "POST", workspaceId: props.workspaceId });
          setUrl(`${window.location.origin}${t.webhook_path}`);
        }}
      />
      {url && (
        <div role="status">
          <p>Copy the new URL now; it is shown only once.</p>
          <CopyField value={url} label="new webhook URL" />
        </div>
      )}
      <form onSubmit={(e) => saveSecret(e, secret)}>
        <label htmlFor={`secret-${props.triggerId}`}>
          Signing secret {props.secretHint ? <span className="muted">(set, ends in …{props.secretHint})</span> : <span className="muted">(none)</span>}
        </label>
        <span className="row">
          <input id={`secret-${props.triggerId}`} type="password" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} style={{ width: "auto" }} />
          <button type="submit" className="secondary small" disabled={action.busy || secret === ""}>
            Save secret
          </button>
          {props.secretHint && (
            <button type="button" className="secondary small" disabled={action.busy} onClick={(e) => saveSecret(e, "")}>
              Remove secret
            </button>
          )}
        </span>
      </form>
      <StatusMessage message={action.message} />
    </details>
  );
}
