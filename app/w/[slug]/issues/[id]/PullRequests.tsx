import type { Membership } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { listIssuePullRequests } from "@/lib/github/installations";

const CHECKS: Record<string, string> = { passed: "checks passed", failed: "checks failed", pending: "checks running" };

/** The GitHub pull requests linked to this issue (by identifier in their title, branch or body). */
export async function PullRequests({ m, issueId }: { m: Membership; issueId: string }) {
  const prs = await listIssuePullRequests(await getDb(), m, issueId);
  if (prs.length === 0) return null;
  return (
    <section aria-labelledby="pull-requests">
      <h2 id="pull-requests">Pull requests</h2>
      <ul aria-label="Pull requests">
        {prs.map((pr) => (
          <li key={pr.id}>
            {/* Only https links are rendered as links (the URL comes from a webhook payload). */}
            {pr.html_url.startsWith("https://") ? (
              <a href={pr.html_url} target="_blank" rel="noreferrer noopener">
                {pr.repo_owner}/{pr.repo_name}#{pr.number}
              </a>
            ) : (
              <span>
                {pr.repo_owner}/{pr.repo_name}#{pr.number}
              </span>
            )}{" "}
            {pr.title} <span className="badge">{pr.state}</span>
            {pr.checks_conclusion && <span className="muted"> · {CHECKS[pr.checks_conclusion] ?? pr.checks_conclusion}</span>}
            {pr.close_intent && <span className="muted"> · closes this issue when merged</span>}
            <span className="muted">
              {" "}
              · +{pr.additions} −{pr.deletions}
              {pr.author_login && ` · by ${pr.author_login}`}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
