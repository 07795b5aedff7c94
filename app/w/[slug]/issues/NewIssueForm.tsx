"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { api, ApiError } from "@/lib/ui/api";
import { AssigneeSelect, assigneeFields } from "./AssigneeSelect";
import type { Person } from "./people";

const PRIORITIES = ["none", "urgent", "high", "medium", "low"];

export function NewIssueForm({ workspaceId, people }: { workspaceId: string; people: Person[] }) {
  const router = useRouter();
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [priority, setPriority] = useState("none");
  const [assignee, setAssignee] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const a = assigneeFields(assignee);
      const issue = await api<{ identifier: string }>("/api/issues", {
        workspaceId,
        body: { title, description: description || undefined, priority, ...(a.assignee_type ? a : {}) },
      });
      setMessage({ ok: true, text: `Created ${issue.identifier}` });
      setTitle("");
      setDescription("");
      setAssignee("");
      router.refresh();
    } catch (err) {
      setMessage({ ok: false, text: err instanceof ApiError ? err.message : "Could not create the issue" });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel" onSubmit={submit} aria-labelledby="new-issue-heading">
      <h2 id="new-issue-heading">New issue</h2>
      <label htmlFor="issue-title">Title</label>
      <input id="issue-title" required maxLength={500} value={title} onChange={(e) => setTitle(e.target.value)} />
      <label htmlFor="issue-description">Description (markdown)</label>
      <textarea id="issue-description" value={description} onChange={(e) => setDescription(e.target.value)} />
      <div className="row">
        <div>
          <label htmlFor="issue-priority">Priority</label>
          <select id="issue-priority" value={priority} onChange={(e) => setPriority(e.target.value)}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
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
      {message && (
        <p role="status" className={message.ok ? "ok" : "error"}>
          {message.text}
        </p>
      )}
    </form>
  );
}
