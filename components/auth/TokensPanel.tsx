"use client";

import { useState, type FormEvent } from "react";
import { ConfirmButton } from "@/components/ui/ConfirmButton";
import { CopyField } from "@/components/ui/CopyButton";
import { FormError } from "@/components/ui/FormMessage";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

type Token = { id: string; name: string; prefix: string; created_at: string; last_used_at: string | null };

export function TokensPanel({ initial }: { initial: Token[] }) {
  const [tokens, setTokens] = useState(initial);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<{ id: string; token: string } | null>(null);
  const { error, run } = useApiAction();

  function create(e: FormEvent) {
    e.preventDefault();
    void run("Could not create the token", async () => {
      const t = await api<Token & { token: string }>("/api/tokens", { body: { name } });
      setCreated({ id: t.id, token: t.token });
      setTokens([t, ...tokens]);
      setName("");
    });
  }

  // Through ConfirmButton: a second "yes", errors shown in its dialog. A revoked token's one-time display goes too.
  async function revoke(id: string) {
    await api(`/api/tokens/${id}`, { method: "DELETE" });
    setTokens((current) => current.filter((t) => t.id !== id));
    setCreated((shown) => (shown?.id === id ? null : shown));
  }

  return (
    <section className="panel" aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">Personal access tokens</h2>
      <p className="muted">For the API and the agent daemon. A token is shown once; only its hash is stored.</p>
      <form onSubmit={create} className="row">
        <label htmlFor="token-name" className="visually-hidden">
          Token name
        </label>
        <input id="token-name" placeholder="Token name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit">Create token</button>
      </form>
      {created && (
        <div role="status">
          <p>Copy your new token now; it is not shown again.</p>
          <CopyField value={created.token} label="new token" />
        </div>
      )}
      <FormError error={error} />
      <ul>
        {tokens.map((t) => (
          <li key={t.id} className="row">
            <span>
              {t.name} <code>{t.prefix}…</code> <span className="muted">last used {t.last_used_at ? <RelativeTime iso={t.last_used_at} /> : "never"}</span>
            </span>
            <ConfirmButton
              label="Revoke"
              ariaLabel={`Revoke ${t.name}`}
              title={`Revoke ${t.name}?`}
              body="Anything using this token (scripts, a daemon) is refused from its next request. This cannot be undone."
              confirmLabel="Revoke token"
              done={`Revoked ${t.name}`}
              action={() => revoke(t.id)}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}
