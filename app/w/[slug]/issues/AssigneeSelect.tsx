"use client";

import type { Person } from "./people";

/** One <select> for members and agents; the value is `type:id` ("" = unassigned). */
export function AssigneeSelect({ id, people, value, onChange }: { id: string; people: Person[]; value: string; onChange: (v: string) => void }) {
  const members = people.filter((p) => p.type === "member");
  const agents = people.filter((p) => p.type === "agent");
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">Unassigned</option>
      <optgroup label="Members">
        {members.map((p) => (
          <option key={p.id} value={`member:${p.id}`}>
            {p.name}
          </option>
        ))}
      </optgroup>
      <optgroup label="Agents">
        {agents.map((p) => (
          <option key={p.id} value={`agent:${p.id}`}>
            {p.name} (agent)
          </option>
        ))}
      </optgroup>
    </select>
  );
}

/** `type:id` → the API's assignee fields. */
export function assigneeFields(v: string): { assignee_type: "member" | "agent" | null; assignee_id: string | null } {
  const [type, id] = v.split(":");
  return type && id ? { assignee_type: type as "member" | "agent", assignee_id: id } : { assignee_type: null, assignee_id: null };
}
