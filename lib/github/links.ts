/**
 * Pure rules of the GitHub integration (integrations inventory §1.4–1.5): which issue identifiers a pull request
 * mentions or closes, its derived state, its mergeable state after an event, and the check-suite summary.
 */
const MENTION = /\b([A-Za-z][A-Za-z0-9]{0,9})-(\d{1,9})\b/g;
const CLOSING = /\b(?:close|closes|closed|fix|fixes|fixed|resolve|resolves|resolved)(?:\s*:\s*|\s+)([A-Za-z][A-Za-z0-9]{0,9})-(\d{1,9})\b/gi;

export type IssueRef = { prefix: string; number: number };
const key = (r: IssueRef) => `${r.prefix}-${r.number}`;

function collect(re: RegExp, texts: string[]): IssueRef[] {
  const seen = new Map<string, IssueRef>();
  for (const text of texts) {
    for (const m of text.matchAll(re)) {
      const ref = { prefix: m[1]!.toUpperCase(), number: Number(m[2]) };
      if (!seen.has(key(ref))) seen.set(key(ref), ref);
    }
  }
  return [...seen.values()];
}

/** Every identifier in the title, body and branch, in that order, without duplicates. */
export const extractIdentifiers = (title: string, body: string, branch: string) => collect(MENTION, [title, body, branch]);

/** Identifiers right after a closing keyword in the title or body (never the branch). */
export const extractClosingIdentifiers = (title: string, body: string) => collect(CLOSING, [title, body]);

export type PRState = "open" | "closed" | "merged" | "draft";

/** merged beats everything (even draft); then closed; then draft; else open. */
export function derivePRState(pr: { merged?: boolean; state?: string; draft?: boolean }): PRState {
  if (pr.merged) return "merged";
  if (pr.state === "closed") return "closed";
  if (pr.draft) return "draft";
  return "open";
}

/**
 * The mergeable state to store: `null` after a push or reopen (and a base-branch change), the stored value when the
 * payload carries none, else the payload's. `undefined` means "keep what is stored".
 */
export function deriveMergeableState(action: string, baseChanged: boolean, payloadValue: string | null | undefined): string | null | undefined {
  if (["opened", "synchronize", "reopened"].includes(action)) return null;
  if (action === "edited" && baseChanged) return null;
  if (!payloadValue) return undefined;
  return payloadValue;
}

export type SuiteRow = { headSha: string; appId: number; status: string; conclusion: string | null; updatedAt: Date };
const FAILED = new Set(["failure", "cancelled", "timed_out", "action_required", "startup_failure", "stale"]);
const PASSED = new Set(["success", "neutral", "skipped"]);

/** Latest suite per app on the PR's current head: counts and an overall conclusion (null without suites). */
export function aggregateChecks(headSha: string, suites: SuiteRow[]) {
  const latest = new Map<number, SuiteRow>();
  if (headSha) {
    for (const s of suites) {
      if (s.headSha !== headSha) continue;
      const cur = latest.get(s.appId);
      if (!cur || s.updatedAt > cur.updatedAt) latest.set(s.appId, s);
    }
  }
  let passed = 0;
  let failed = 0;
  let pending = 0;
  for (const s of latest.values()) {
    if (s.status !== "completed" || !s.conclusion) pending++;
    else if (FAILED.has(s.conclusion)) failed++;
    else if (PASSED.has(s.conclusion)) passed++;
  }
  const conclusion = failed ? "failed" : pending ? "pending" : passed ? "passed" : null;
  return { checks_passed: passed, checks_failed: failed, checks_pending: pending, checks_conclusion: conclusion };
}
