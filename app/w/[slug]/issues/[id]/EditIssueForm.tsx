"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Field, fieldError } from "@/components/ui/Field";
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
  const err = fieldError(error, ["title", "description"] as const);
  // Leaving the form (save, Cancel, Escape) gives focus back to the button that opened it.
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  useEffect(() => {
    if (!editing && wasEditing.current) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  const cancel = () => {
    setEditing(false);
    setTitle(props.title);
    setDescription(props.description);
  };

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
        <button ref={editButton} type="button" className="secondary" onClick={() => setEditing(true)}>
          Edit title and description
        </button>
      </p>
    );
  }
  return (
    <form className="panel" onSubmit={save} aria-label="Edit issue" onKeyDown={(e) => e.key === "Escape" && cancel()}>
      <Field id="edit-title" label="Title" error={err?.field === "title" ? err.message : null}>
        <input required maxLength={500} value={title} onChange={(e) => setTitle(e.target.value)} autoFocus />
      </Field>
      <Field id="edit-description" label="Description (markdown)" error={err?.field === "description" ? err.message : null}>
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <p className="row">
        <button type="submit">Save changes</button>
        <button type="button" className="secondary" onClick={cancel}>
          Cancel
        </button>
      </p>
      <FormError error={err && !err.field ? err.message : null} />
    </form>
  );
}
