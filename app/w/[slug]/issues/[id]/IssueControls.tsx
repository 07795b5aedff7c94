"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";
import { AssigneeSelect, assigneeFields } from "../AssigneeSelect";
import { PrioritySelect } from "../PrioritySelect";
import type { Person } from "../people";

const STATUSES = ["backlog", "todo", "in_progress", "in_review", "done", "cancelled"];

/**
 * Status, priority and assignee, saved together with one button: saving on every `change` would fire a request
 * per arrow key for keyboard users moving through a closed <select>.
 */
export function IssueControls(props: { workspaceId: string; issueId: string; status: string; priority: string; assignee: string; people: Person[] }) {
  const router = useRouter();
  const [status, setStatus] = useState(props.status);
  const [priority, setPriority] = useState(props.priority);
  const [assignee, setAssignee] = useState(props.assignee);
  // The issue can change underneath (the agent finished → in_review, the page refreshed): follow the server's values,
  // so a later Save never writes back a stale status.
  const serverValues = `${props.status}|${props.priority}|${props.assignee}`;
  const [seen, setSeen] = useState(serverValues);
  if (seen !== serverValues) {
    setSeen(serverValues);
    setStatus(props.status);
    setPriority(props.priority);
    setAssignee(props.assignee);
  }
  const { busy, message, run } = useApiAction();
  const changed = status !== props.status || priority !== props.priority || assignee !== props.assignee;

  function save(e: FormEvent) {
    e.preventDefault();
    const body: Record<string, unknown> = {};
    if (status !== props.status) body.status = status;
    if (priority !== props.priority) body.priority = priority;
    if (assignee !== props.assignee) Object.assign(body, assigneeFields(assignee));
    void run("Could not save", async () => {
      await api(`/api/issues/${props.issueId}`, { method: "PATCH", workspaceId: props.workspaceId, body });
      router.refresh();
      return "Saved";
    });
  }

  return (
    <form className="panel" onSubmit={save} aria-label="Issue properties">
      <div className="row">
        <div>
          <label htmlFor="issue-status">Status</label>
          <select id="issue-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace("_", " ")}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="issue-priority">Priority</label>
          <PrioritySelect id="issue-priority" value={priority} onChange={setPriority} />
        </div>
        <div>
          <label htmlFor="issue-assignee">Assignee</label>
          <AssigneeSelect id="issue-assignee" people={props.people} value={assignee} onChange={setAssignee} />
        </div>
      </div>
      <p>
        <button type="submit" disabled={busy || !changed}>
          Save
        </button>
      </p>
      <p role="status" className={message ? (message.ok ? "ok" : "error") : undefined}>
        {message?.text}
      </p>
    </form>
  );
}
