"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { StatusMessage } from "@/components/ui/FormMessage";
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
  const { busy, message, run } = useApiAction();
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
    <form className="panel" onSubmit={submit} aria-labelledby="new-issue-heading">
      <h2 id="new-issue-heading">New issue</h2>
      <label htmlFor="issue-title">Title</label>
      <input id="issue-title" required maxLength={500} value={title} onChange={(e) => setTitle(e.target.value)} />
      <label htmlFor="issue-description">Description (markdown supported)</label>
      <textarea id="issue-description" value={description} onChange={(e) => setDescription(e.target.value)} />
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
      <StatusMessage message={message} />
    </form>
  );
}
