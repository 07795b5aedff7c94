"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormError } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

export function MessageForm({ workspaceId, sessionId }: { workspaceId: string; sessionId: string }) {
  const router = useRouter();
  const [content, setContent] = useState("");
  const { busy, error, run } = useApiAction();

  function submit(e: FormEvent) {
    e.preventDefault();
    void run("Could not send the message", async () => {
      await api(`/api/chat/sessions/${sessionId}/messages`, { workspaceId, body: { content } });
      setContent("");
      router.refresh();
    });
  }

  return (
    <form onSubmit={submit} aria-label="New chat message">
      <label htmlFor="chat-message">Message to the agent</label>
      <textarea id="chat-message" autoFocus required value={content} onChange={(e) => setContent(e.target.value)} />
      <p>
        <button type="submit" disabled={busy}>
          Send
        </button>
      </p>
      <FormError error={error} />
    </form>
  );
}
