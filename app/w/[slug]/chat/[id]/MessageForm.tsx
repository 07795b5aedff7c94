"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { api, ApiError } from "@/lib/ui/api";

export function MessageForm({ workspaceId, sessionId }: { workspaceId: string; sessionId: string }) {
  const router = useRouter();
  const [content, setContent] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      await api(`/api/chat/sessions/${sessionId}/messages`, { workspaceId, body: { content } });
      setContent("");
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not send the message");
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label="New chat message">
      <label htmlFor="chat-message">Message to the agent</label>
      <textarea id="chat-message" required value={content} onChange={(e) => setContent(e.target.value)} />
      <p>
        <button type="submit" disabled={busy}>
          Send
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
