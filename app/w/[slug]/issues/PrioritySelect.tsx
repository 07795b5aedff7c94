"use client";

// The API's ISSUE_PRIORITIES (lib/issues is server code, so the client keeps its own copy).
const PRIORITIES = ["none", "urgent", "high", "medium", "low"];

export function PrioritySelect({ id, value, onChange }: { id: string; value: string; onChange: (v: string) => void }) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
      {PRIORITIES.map((p) => (
        <option key={p} value={p}>
          {p}
        </option>
      ))}
    </select>
  );
}
