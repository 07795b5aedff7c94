"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { api, ApiError } from "@/lib/ui/api";

export function CommentForm({ workspaceId, issueId }: { workspaceId: string; issueId: string }) {
  const router = useRouter();
  const [body, setBody] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      await api(`/api/issues/${issueId}/comments`, { workspaceId, body: { body } });
      setBody("");
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not add the comment");
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label="Add a comment">
      <label htmlFor="comment-body">Comment</label>
      <textarea id="comment-body" required value={body} onChange={(e) => setBody(e.target.value)} />
      <p>
        <button type="submit" disabled={busy}>
          Comment
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
