"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormError } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

export function CommentForm({ workspaceId, issueId }: { workspaceId: string; issueId: string }) {
  const router = useRouter();
  const [body, setBody] = useState("");
  const { busy, error, run } = useApiAction();

  function submit(e: FormEvent) {
    e.preventDefault();
    void run("Could not add the comment", async () => {
      await api(`/api/issues/${issueId}/comments`, { workspaceId, body: { body } });
      setBody("");
      router.refresh();
    });
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
      <FormError error={error} />
    </form>
  );
}
