import type { ReactNode } from "react";

/** What an empty list shows: what it is, and what to do next (`action`, usually a button or link). */
export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <h2>{title}</h2>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}
