import type { ReactNode } from "react";

export type BadgeTone = "neutral" | "ok" | "warn" | "danger" | "accent" | "muted";

export function Badge({ tone = "neutral", children, ...rest }: { tone?: BadgeTone; children: ReactNode; "data-status"?: string; title?: string }) {
  return (
    <span className={tone === "neutral" ? "badge" : `badge badge-${tone}`} {...rest}>
      {children}
    </span>
  );
}

/** The tone for an issue / task / runtime status word, so the same state looks the same everywhere. */
export function statusTone(status: string): BadgeTone {
  switch (status) {
    case "done":
    case "completed":
    case "online":
    case "accepted":
      return "ok";
    case "in_progress":
    case "running":
    case "dispatched":
    case "in_review":
      return "accent";
    case "queued":
    case "pending":
    case "todo":
      return "warn";
    case "failed":
    case "revoked":
      return "danger";
    default:
      return "muted";
  }
}
