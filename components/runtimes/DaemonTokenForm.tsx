"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { CopyButton, CopyField } from "@/components/ui/CopyButton";
import { FormError } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

/**
 * Owners/admins mint a workspace daemon token; it is shown once, with the one command that starts the daemon with it
 * (server URL, token, workspace id), each copyable. Used on the Runtimes page and in onboarding's runtime step.
 */
export function DaemonTokenForm({ workspaceId, headingLevel = 2 }: { workspaceId: string; headingLevel?: 2 | 3 }) {
  const router = useRouter();
  const [name, setName] = useState("My laptop");
  const [token, setToken] = useState<string | null>(null);
  const [origin, setOrigin] = useState("");
  const { busy, error, run } = useApiAction();
  useEffect(() => setOrigin(window.location.origin), []);

  function submit(e: FormEvent) {
    e.preventDefault();
    void run("Could not create the token", async () => {
      const created = await api<{ token: string }>("/api/runtimes/daemon-tokens", { workspaceId, body: { name } });
      setToken(created.token);
      router.refresh();
    });
  }

  const Heading = headingLevel === 2 ? "h2" : "h3";
  const command = token ? `TANDEM_SERVER_URL=${origin} TANDEM_TOKEN=${token} TANDEM_WORKSPACE_ID=${workspaceId} npm run daemon` : "";
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="daemon-token-heading">
      <Heading id="daemon-token-heading" style={{ marginTop: 0 }}>
        Connect a daemon
      </Heading>
      <p className="muted" style={{ margin: 0 }}>
        Workspace id <code>{workspaceId}</code> <CopyButton value={workspaceId} label="workspace id" />
      </p>
      <label htmlFor="daemon-token-name">Token name</label>
      <input id="daemon-token-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      <p>
        <button type="submit" disabled={busy}>
          Create daemon token
        </button>
      </p>
      <FormError error={error} />
      {token && (
        <div role="status">
          <p>Copy it now; it is not shown again. Run this in a checkout of Tandem on the machine with your coding tools:</p>
          <CopyField value={command} label="daemon command" />
          <p className="muted">Token only:</p>
          <CopyField value={token} label="daemon token" />
        </div>
      )}
    </form>
  );
}
