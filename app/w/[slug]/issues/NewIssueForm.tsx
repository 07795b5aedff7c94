"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Field, fieldError } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormMessage";
import { useCloseDialog } from "@/components/ui/Dialog";
import { useToast } from "@/components/ui/Toast";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";
import { AssigneeSelect, assigneeFields } from "./AssigneeSelect";
import { PrioritySelect } from "./PrioritySelect";
import type { Person } from "./people";

export function NewIssueForm({ workspaceId, people }: { workspaceId: string; people: Person[] }) {
  const router = useRouter();
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [priority, setPriority] = useState("none");
  const [assignee, setAssignee] = useState("");
  const { busy, error, run } = useApiAction();
  const err = fieldError(error, ["title", "description"] as const);
  const closeDialog = useCloseDialog();
  const toast = useToast();

  function submit(e: FormEvent) {
    e.preventDefault();
    void run("Could not create the issue", async () => {
      const a = assigneeFields(assignee);
      const issue = await api<{ identifier: string }>("/api/issues", {
        workspaceId,
        body: { title, description: description || undefined, priority, ...(a.assignee_type ? a : {}) },
      });
      setTitle("");
      setDescription("");
      setAssignee("");
      router.refresh();
      closeDialog();
      toast(`Created ${issue.identifier}`);
    });
  }

  return (
    <form className="panel" onSubmit={submit} aria-label="New issue">
      <Field id="issue-title" label="Title" error={err?.field === "title" ? err.message : null}>
        <input required maxLength={500} value={title} onChange={(e) => setTitle(e.target.value)} />
      </Field>
      <Field id="issue-description" label="Description (markdown supported)" error={err?.field === "description" ? err.message : null}>
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <div className="row">
        <div>
          <label htmlFor="issue-priority">Priority</label>
          <PrioritySelect id="issue-priority" value={priority} onChange={setPriority} />
        </div>
        <div>
          <label htmlFor="issue-assignee">Assignee</label>
          <AssigneeSelect id="issue-assignee" people={people} value={assignee} onChange={setAssignee} />
        </div>
      </div>
      <p>
        <button type="submit" disabled={busy}>
          Create issue
        </button>
      </p>
      <FormError error={err && !err.field ? err.message : null} />
    </form>
  );
}
