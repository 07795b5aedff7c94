"use client";

import { useRouter } from "next/navigation";
import { ConfirmButton } from "@/components/ui/ConfirmButton";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { Table } from "@/components/ui/Table";
import { api } from "@/lib/ui/api";

type Token = { id: string; name: string; prefix: string; created_at: string; expires_at: string | null };

/** The workspace's live daemon tokens (never the secret), each revocable: its daemon's next request gets 401. */
export function DaemonTokens({ workspaceId, tokens }: { workspaceId: string; tokens: Token[] }) {
  const router = useRouter();
  return (
    <Table
      label="Daemon tokens"
      columns={["Name", "Token", "Created", "Expires", <span className="visually-hidden">Actions</span>]}
      items={tokens}
      empty="No daemon tokens yet."
      row={(t) => (
        <tr key={t.id}>
          <td>{t.name}</td>
          <td>
            <code>{t.prefix}…</code>
          </td>
          <td>
            <RelativeTime iso={t.created_at} />
          </td>
          <td>{t.expires_at ? <RelativeTime iso={t.expires_at} /> : "never"}</td>
          <td>
            <ConfirmButton
              label="Revoke"
              ariaLabel={`Revoke ${t.name}`}
              title={`Revoke ${t.name}?`}
              body="Daemons using this token stop working at their next request. This cannot be undone."
              confirmLabel="Revoke token"
              done={`Revoked ${t.name}`}
              action={async () => {
                await api(`/api/runtimes/daemon-tokens/${t.id}`, { method: "DELETE", workspaceId });
                router.refresh();
              }}
            />
          </td>
        </tr>
      )}
    />
  );
}
