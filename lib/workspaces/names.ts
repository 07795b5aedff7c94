import { requiredString } from "@/lib/http/body";

/** A workspace name as both create and rename accept it. */
export const workspaceName = requiredString("name").trim().min(1, "name is required").max(80, "name is too long");

/** "Acme Robotics" → "ACM": the first three letters or digits of the name, upper-cased ("WS" when there are none). */
export function deriveIssuePrefix(name: string): string {
  const letters = name.normalize("NFKD").replace(/[^A-Za-z0-9]/g, "").toUpperCase();
  return letters.slice(0, 3) || "WS";
}

/** "Acme Robotics!" → "acme-robotics". */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-") // from here on dashes never repeat, so single-dash trims suffice (and stay linear)
    .replace(/^-|-$/g, "")
    .slice(0, 40)
    .replace(/-$/, "");
}

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
/** Slugs that would collide with app routes or read as something else. */
export const RESERVED_SLUGS = new Set(["new", "api", "admin", "login", "onboarding", "settings", "invite", "w"]);
