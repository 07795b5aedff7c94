"use client";

import { useState, type FormEvent } from "react";
import { CopyField } from "@/components/ui/CopyButton";
import { FormError } from "@/components/ui/FormMessage";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

type Token = { id: string; name: string; prefix: string; created_at: string; last_used_at: string | null };

export function TokensPanel({ initial }: { initial: Token[] }) {
  const [tokens, setTokens] = useState(initial);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<string | null>(null);
  const { error, run } = useApiAction();

  function create(e: FormEvent) {
    e.preventDefault();
    void run("Could not create the token", async () => {
      const t = await api<Token & { token: string }>("/api/tokens", { body: { name } });
      setCreated(t.token);
      setTokens([t, ...tokens]);
      setName("");
    });
  }

  async function revoke(id: string) {
    await api(`/api/tokens/${id}`, { method: "DELETE" });
    setTokens(tokens.filter((t) => t.id !== id));
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
          <CopyField value={created} label="new token" />
        </div>
      )}
      <FormError error={error} />
      <ul>
        {tokens.map((t) => (
          <li key={t.id} className="row">
            <span>
              {t.name} <code>{t.prefix}…</code> <span className="muted">last used {t.last_used_at ? <RelativeTime iso={t.last_used_at} /> : "never"}</span>
            </span>
            <button type="button" className="secondary" onClick={() => revoke(t.id)} aria-label={`Revoke ${t.name}`}>
              Revoke
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
