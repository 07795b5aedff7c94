"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormError } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

/** Title and description, behind an explicit "Edit" so the page reads as a page until someone wants to change it. */
export function EditIssueForm(props: { workspaceId: string; issueId: string; title: string; description: string }) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(props.title);
  const [description, setDescription] = useState(props.description);
  const { error, run } = useApiAction();

  function save(e: FormEvent) {
    e.preventDefault();
    void run("Could not save", async () => {
      await api(`/api/issues/${props.issueId}`, { method: "PATCH", workspaceId: props.workspaceId, body: { title, description } });
      setEditing(false);
      router.refresh();
    });
  }

  if (!editing) {
    return (
      <p>
        <button type="button" className="secondary" onClick={() => setEditing(true)}>
          Edit title and description
        </button>
      </p>
    );
  }
  return (
    <form className="panel" onSubmit={save} aria-label="Edit issue">
      <label htmlFor="edit-title">Title</label>
      <input id="edit-title" required maxLength={500} value={title} onChange={(e) => setTitle(e.target.value)} autoFocus />
      <label htmlFor="edit-description">Description (markdown)</label>
      <textarea id="edit-description" value={description} onChange={(e) => setDescription(e.target.value)} />
      <p className="row">
        <button type="submit">Save changes</button>
        <button type="button" className="secondary" onClick={() => (setEditing(false), setTitle(props.title), setDescription(props.description))}>
          Cancel
        </button>
      </p>
      <FormError error={error} />
    </form>
  );
}
