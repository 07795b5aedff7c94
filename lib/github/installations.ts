import { and, asc, desc, eq, inArray } from "drizzle-orm";
import type { Membership } from "@/lib/auth";
import { isUuid } from "@/lib/auth";
import { config } from "@/lib/config";
import type { Db } from "@/lib/db";
import { githubCheckSuites, githubInstallations, githubPullRequests, issuePullRequests, members, workspaces } from "@/lib/db/schema";
import { badRequest, forbidden, notFound } from "@/lib/http/errors";
import { findIssue } from "@/lib/issues";
import { getStore } from "@/lib/store";
import { aggregateChecks } from "./links";
import { takePendingAccount, type PendingAccount } from "./pending-account";
import { signState, STATE_TTL_SECONDS, verifyState } from "./state";
import { trimTrailingSlashes } from "@/lib/http/text";

/** GitHub App installations per workspace (integrations inventory §1.6) and the PRs shown on an issue. */
const canManage = (m: Membership) => m.role === "owner" || m.role === "admin";

export function githubConfigured(): boolean {
  const c = config();
  return Boolean(c.GITHUB_WEBHOOK_SECRET && c.GITHUB_APP_SLUG);
}

type Installation = typeof githubInstallations.$inferSelect;

/** `installation_id` (GitHub's numeric id) only for owners/admins. */
function installationResponse(i: Installation, manage: boolean) {
  return {
    id: i.id,
    ...(manage ? { installation_id: i.installationId } : {}),
    account_login: i.accountLogin,
    account_type: i.accountType,
    account_avatar_url: i.accountAvatarUrl,
    auto_link_prs: i.autoLinkPrs,
    connected_by_id: i.connectedById,
    created_at: i.createdAt.toISOString(),
  };
}

export async function listInstallations(db: Db, m: Membership) {
  const rows = await db.select().from(githubInstallations).where(eq(githubInstallations.workspaceId, m.workspace.id)).orderBy(asc(githubInstallations.createdAt));
  return { installations: rows.map((r) => installationResponse(r, canManage(m))), configured: githubConfigured(), can_manage: canManage(m) };
}

/** The install URL with a signed, expiring, single-use state (owner/admin). */
export function connectUrl(m: Membership) {
  if (!canManage(m)) throw forbidden("requires role owner or admin");
  const c = config();
  if (!githubConfigured()) return { url: "", configured: false };
  const base = trimTrailingSlashes(c.GITHUB_URL ?? "https://github.com");
  const state = signState(c.GITHUB_WEBHOOK_SECRET!, m.workspace.id, m.user.id);
  return { url: `${base}/apps/${encodeURIComponent(c.GITHUB_APP_SLUG!)}/installations/new?state=${encodeURIComponent(state)}`, configured: true };
}

export async function deleteInstallation(db: Db, m: Membership, id: string): Promise<void> {
  if (!canManage(m)) throw forbidden("requires role owner or admin");
  if (!isUuid(id)) throw badRequest("invalid installation id");
  const rows = await db
    .delete(githubInstallations)
    .where(and(eq(githubInstallations.id, id), eq(githubInstallations.workspaceId, m.workspace.id)))
    .returning({ id: githubInstallations.id });
  if (rows.length === 0) throw notFound("installation not found");
}

/** PATCH: whether this installation links PRs to issues (owner/admin). */
export async function updateInstallation(db: Db, m: Membership, id: string, patch: { auto_link_prs?: boolean }) {
  if (!canManage(m)) throw forbidden("requires role owner or admin");
  if (!isUuid(id)) throw badRequest("invalid installation id");
  const [row] = await db
    .update(githubInstallations)
    .set({ ...(patch.auto_link_prs === undefined ? {} : { autoLinkPrs: patch.auto_link_prs }), updatedAt: new Date() })
    .where(and(eq(githubInstallations.id, id), eq(githubInstallations.workspaceId, m.workspace.id)))
    .returning();
  if (!row) throw notFound("installation not found");
  return installationResponse(row, true);
}

/** How long the setup callback waits for GitHub's `installation created` webhook when the installer arrives first. */
const ANNOUNCEMENT_WAIT_MS = 5_000;

/**
 * GET /api/github/setup?installation_id&state: where GitHub sends the installer back. Always a redirect to the
 * settings page with `github_connected=1` or `github_error=<code>`. The state must be genuine, unexpired and unused,
 * and its issuer still an owner/admin of its workspace; `connected_by_id` is the signed-in user, if any (never a header).
 *
 * The `installation_id` in this URL is whatever the browser sends, so it is not taken on trust (the reference's
 * "any valid state can bind any installation_id", inventory §1.9): an installation connected to another workspace
 * stays there (`installation_taken`), and a new one is bound only if GitHub announced it with a signed
 * `installation created` webhook that no one has claimed yet (`unknown_installation`). Made-up ids bind nothing.
 */
export async function completeSetup(db: Db, q: URLSearchParams, userId: string | null): Promise<{ error?: string; slug?: string }> {
  const secret = config().GITHUB_WEBHOOK_SECRET;
  const rawId = q.get("installation_id") ?? "";
  const state = q.get("state") ?? "";
  if (!rawId || !state) return { error: "missing_params" };
  if (!secret) return { error: "invalid_state" };
  const verified = verifyState(secret, state);
  if (!verified) return { error: "invalid_state" };
  if (!/^\d{1,15}$/.test(rawId) || Number(rawId) <= 0) return { error: "bad_installation_id" };
  if (!isUuid(verified.workspaceId)) return { error: "bad_workspace" };
  const [ws] = await db.select({ id: workspaces.id, slug: workspaces.slug }).from(workspaces).where(eq(workspaces.id, verified.workspaceId));
  if (!ws) return { error: "bad_workspace" };
  // Whoever asked for the link must still be allowed to connect GitHub: a removed or demoted admin's link is dead.
  const [issuer] = isUuid(verified.issuerId)
    ? await db.select({ role: members.role }).from(members).where(and(eq(members.workspaceId, ws.id), eq(members.userId, verified.issuerId)))
    : [];
  if (issuer?.role !== "owner" && issuer?.role !== "admin") return { error: "invalid_state", slug: ws.slug };
  const fresh = await (await getStore()).setIfAbsent(`github:state:${verified.nonce}`, "1", STATE_TTL_SECONDS * 1000);
  if (!fresh) return { error: "invalid_state" };

  const installationId = Number(rawId);
  const [existing] = await db.select({ workspaceId: githubInstallations.workspaceId }).from(githubInstallations).where(eq(githubInstallations.installationId, installationId));
  if (existing && existing.workspaceId !== ws.id) return { error: "installation_taken", slug: ws.slug };
  const account = existing ? {} : await waitForAnnouncement(installationId);
  if (!account) {
    // Another workspace may have claimed the announcement while this one waited: say so, not "unknown".
    const [now] = await db.select({ id: githubInstallations.id }).from(githubInstallations).where(eq(githubInstallations.installationId, installationId));
    return { error: now ? "installation_taken" : "unknown_installation", slug: ws.slug };
  }
  try {
    // The unique installation id decides a race between two workspaces: the loser's update matches no row.
    const bound = await db
      .insert(githubInstallations)
      .values({ workspaceId: ws.id, installationId, connectedById: userId, ...account })
      .onConflictDoUpdate({
        target: githubInstallations.installationId,
        set: { connectedById: userId, ...account, updatedAt: new Date() },
        setWhere: eq(githubInstallations.workspaceId, ws.id),
      })
      .returning({ id: githubInstallations.id });
    if (bound.length === 0) return { error: "installation_taken", slug: ws.slug };
  } catch (err) {
    console.error(`[github] storing installation failed: ${(err as Error).message}`);
    return { error: "persist_failed", slug: ws.slug };
  }
  return { slug: ws.slug };
}

/** The account GitHub's `installation created` webhook announced for this id (claimed once), waiting briefly for it. */
async function waitForAnnouncement(installationId: number): Promise<PendingAccount | null> {
  const deadline = Date.now() + ANNOUNCEMENT_WAIT_MS;
  for (;;) {
    const account = await takePendingAccount(installationId);
    if (account || Date.now() >= deadline) return account;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The pull requests linked to an issue, newest first, with their check summary. */
export async function listIssuePullRequests(db: Db, m: Membership, ref: string) {
  const issue = await findIssue(db, m, ref);
  const rows = await db
    .select({ pr: githubPullRequests, closeIntent: issuePullRequests.closeIntent })
    .from(issuePullRequests)
    .innerJoin(githubPullRequests, eq(githubPullRequests.id, issuePullRequests.pullRequestId))
    .where(eq(issuePullRequests.issueId, issue.id))
    .orderBy(desc(githubPullRequests.prCreatedAt))
    .limit(100);
  const ids = rows.map((r) => r.pr.id);
  const suites = ids.length ? await db.select().from(githubCheckSuites).where(inArray(githubCheckSuites.prId, ids)) : [];
  return rows.map(({ pr, closeIntent }) => ({
    id: pr.id,
    repo_owner: pr.repoOwner,
    repo_name: pr.repoName,
    number: pr.prNumber,
    title: pr.title,
    state: pr.state,
    html_url: pr.htmlUrl,
    branch: pr.branch,
    author_login: pr.authorLogin,
    author_avatar_url: pr.authorAvatarUrl,
    merged_at: pr.mergedAt?.toISOString() ?? null,
    closed_at: pr.closedAt?.toISOString() ?? null,
    pr_created_at: pr.prCreatedAt.toISOString(),
    pr_updated_at: pr.prUpdatedAt.toISOString(),
    mergeable_state: pr.mergeableState,
    additions: pr.additions,
    deletions: pr.deletions,
    changed_files: pr.changedFiles,
    close_intent: closeIntent,
    ...aggregateChecks(pr.headSha, suites.filter((s) => s.prId === pr.id)),
  }));
}
