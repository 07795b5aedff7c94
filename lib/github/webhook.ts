import { and, eq, inArray, isNull, lt, notInArray, sql } from "drizzle-orm";
import { config } from "@/lib/config";
import type { Db, Tx } from "@/lib/db";
import { githubCheckSuites, githubDeliveries, githubInstallations, githubPullRequests, issuePullRequests, issues, workspaces } from "@/lib/db/schema";
import { HttpError, unauthorized, unavailable } from "@/lib/http/errors";
import { readText } from "@/lib/http/body";
import { json } from "@/lib/http/route";
import { finishAutopilotRunForIssue } from "@/lib/autopilots/runs";
import { observeGithubPRMergeSeconds, recordGithubEventReceived, recordGithubPRReview } from "@/lib/telemetry";
import { deriveMergeableState, derivePRState, extractClosingIdentifiers, extractIdentifiers } from "./links";
import { checkHubSignature } from "./signature";
import { rememberPendingAccount } from "./pending-account";

/**
 * POST /api/webhooks/github (integrations inventory §1.2): HMAC-verified with `GITHUB_WEBHOOK_SECRET` (503 when
 * unset), `ping` → 200, everything else → 202 with an empty body even when processing fails (failures are logged).
 * Each `X-GitHub-Delivery` is processed once: the id is stored in the processing transaction, so a redelivery
 * changes nothing and observes no metric twice.
 */
export const GITHUB_BODY_LIMIT = 10 * 1024 * 1024;
const DELIVERY_RETENTION_DAYS = 14;

type Obj = Record<string, any>;
type Effects = { mergeSeconds?: number; review?: string; doneIssues: { id: string; originType: string; originId: string | null }[] };

const str = (v: unknown) => (typeof v === "string" ? v : "");
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const date = (v: unknown): Date | null => {
  if (typeof v !== "string" || v === "") return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
};

export async function receiveGithubWebhook(db: Db, req: Request): Promise<Response> {
  const secret = config().GITHUB_WEBHOOK_SECRET;
  if (!secret) throw unavailable("github webhooks not configured");
  let text: string;
  try {
    text = await readText(req, GITHUB_BODY_LIMIT);
  } catch (err) {
    if (err instanceof HttpError && err.status === 413) throw new HttpError(413, "request body is too large");
    throw err;
  }
  if ((await checkHubSignature(secret, text, req.headers.get("x-hub-signature-256"))) !== "valid") throw unauthorized("invalid signature");

  const event = (req.headers.get("x-github-event") ?? "").trim();
  let payload: Obj | null = null;
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) payload = parsed;
  } catch {
    /* a signed body that is not JSON: counted, then ignored */
  }
  recordGithubEventReceived(event, str(payload?.action));
  if (event === "ping") return json({ ok: "pong" });
  if (!payload) return new Response(null, { status: 202 });

  const deliveryId = (req.headers.get("x-github-delivery") ?? "").trim().slice(0, 200);
  try {
    const effects = await db.transaction(async (tx) => {
      if (deliveryId) {
        const fresh = await tx.insert(githubDeliveries).values({ deliveryId, event: event.slice(0, 100) }).onConflictDoNothing().returning();
        if (fresh.length === 0) return null; // a redelivery: already processed
      }
      const fx: Effects = { doneIssues: [] };
      switch (event) {
        case "installation":
          await onInstallation(tx, payload);
          break;
        case "pull_request":
          await onPullRequest(tx, payload, fx);
          break;
        case "check_suite":
          await onCheckSuite(tx, payload);
          break;
        case "pull_request_review":
          fx.review = reviewResult(payload);
          break;
      }
      return fx;
    });
    if (effects) {
      if (effects.mergeSeconds !== undefined) observeGithubPRMergeSeconds(effects.mergeSeconds);
      if (effects.review) recordGithubPRReview(effects.review);
      for (const issue of effects.doneIssues) {
        if (issue.originType === "autopilot" && issue.originId) await finishAutopilotRunForIssue(db, issue.originId, "completed");
      }
      if (deliveryId && Math.random() < 0.01) await pruneDeliveries(db);
    }
  } catch (err) {
    // GitHub only learns "accepted": a failing handler must not make it disable the hook. The next delivery retries.
    console.error(`[github] ${event} delivery ${deliveryId || "-"} failed: ${(err as Error).message}`);
  }
  return new Response(null, { status: 202 });
}

async function pruneDeliveries(db: Db) {
  await db.delete(githubDeliveries).where(lt(githubDeliveries.receivedAt, new Date(Date.now() - DELIVERY_RETENTION_DAYS * 86_400_000)));
}

/** `pull_request_review`: submitted reviews by state; a dismissal counts as `dismissed`. */
function reviewResult(p: Obj): string | undefined {
  const action = str(p.action);
  if (action === "dismissed") return "dismissed";
  if (action !== "submitted") return undefined;
  return str(p.review?.state).toLowerCase() || "other";
}

async function installationRow(tx: Tx, p: Obj) {
  const id = num(p.installation?.id);
  if (!id) return null;
  const [row] = await tx.select().from(githubInstallations).where(eq(githubInstallations.installationId, id));
  return row ?? null;
}

/** deleted/suspend remove the row; created/new_permissions_accepted/unsuspend refresh an existing one (never create). */
async function onInstallation(tx: Tx, p: Obj) {
  const action = str(p.action);
  const id = num(p.installation?.id);
  if (!id) return;
  if (action === "deleted" || action === "suspend") {
    await tx.delete(githubInstallations).where(eq(githubInstallations.installationId, id));
  } else if (["created", "new_permissions_accepted", "unsuspend"].includes(action)) {
    const account = accountOf(p);
    const updated = await tx
      .update(githubInstallations)
      .set({ ...account, updatedAt: new Date() })
      .where(eq(githubInstallations.installationId, id))
      .returning({ id: githubInstallations.id });
    // GitHub usually sends `created` before the installer lands on the setup callback: the webhook never creates the
    // row, but the account is kept briefly so the callback can show who was connected instead of "unknown".
    if (updated.length === 0 && action === "created") await rememberPendingAccount(id, account);
  }
}

/** The account fields of an `installation` payload, bounded. */
function accountOf(p: Obj) {
  const account = (p.installation?.account ?? {}) as Obj;
  return {
    accountLogin: str(account.login).slice(0, 100) || "unknown",
    accountType: str(account.type) === "Organization" ? "Organization" : "User",
    accountAvatarUrl: str(account.avatar_url).slice(0, 500) || null,
  };
}

async function onPullRequest(tx: Tx, p: Obj, fx: Effects) {
  const inst = await installationRow(tx, p);
  if (!inst) return; // unknown installation: dropped (still 202)
  const pr = (p.pull_request ?? {}) as Obj;
  const action = str(p.action);
  const owner = str(p.repository?.owner?.login);
  const repo = str(p.repository?.name);
  const number = num(pr.number);
  if (!owner || !repo || !number) return;
  const state = derivePRState(pr);
  const mergeable = deriveMergeableState(action, Boolean(str(p.changes?.base?.ref?.from)), pr.mergeable_state);
  const now = new Date();
  const values = {
    workspaceId: inst.workspaceId,
    installationId: inst.installationId,
    repoOwner: owner.slice(0, 100),
    repoName: repo.slice(0, 100),
    prNumber: number,
    title: str(pr.title).slice(0, 1000),
    state,
    htmlUrl: str(pr.html_url).slice(0, 1000),
    branch: str(pr.head?.ref).slice(0, 255) || null,
    authorLogin: str(pr.user?.login).slice(0, 100) || null,
    authorAvatarUrl: str(pr.user?.avatar_url).slice(0, 500) || null,
    mergedAt: date(pr.merged_at),
    closedAt: date(pr.closed_at),
    prCreatedAt: date(pr.created_at) ?? now,
    prUpdatedAt: date(pr.updated_at) ?? now,
    headSha: str(pr.head?.sha).slice(0, 64),
    additions: num(pr.additions),
    deletions: num(pr.deletions),
    changedFiles: num(pr.changed_files),
    updatedAt: now,
  };
  const { prCreatedAt: _insertOnly, workspaceId: _w, repoOwner: _o, repoName: _r, prNumber: _n, ...updatable } = values;
  const [row] = await tx
    .insert(githubPullRequests)
    .values({ ...values, mergeableState: mergeable ?? null })
    .onConflictDoUpdate({
      target: [githubPullRequests.workspaceId, githubPullRequests.repoOwner, githubPullRequests.repoName, githubPullRequests.prNumber],
      set: { ...updatable, ...(mergeable === undefined ? {} : { mergeableState: mergeable }) },
    })
    .returning();

  // created → merged, once per PR (an atomic flip), only with both timestamps.
  const created = date(pr.created_at);
  if (state === "merged" && values.mergedAt && created) {
    const [flipped] = await tx
      .update(githubPullRequests)
      .set({ mergeObservedAt: now })
      .where(and(eq(githubPullRequests.id, row!.id), isNull(githubPullRequests.mergeObservedAt)))
      .returning({ id: githubPullRequests.id });
    if (flipped) fx.mergeSeconds = (values.mergedAt.getTime() - created.getTime()) / 1000;
  }

  if (!inst.autoLinkPrs) return;
  const [ws] = await tx.select({ prefix: workspaces.issuePrefix }).from(workspaces).where(eq(workspaces.id, inst.workspaceId));
  const prefix = ws!.prefix.toUpperCase();
  const title = str(pr.title);
  const body = str(pr.body);
  const mentions = extractIdentifiers(title, body, str(pr.head?.ref)).filter((r) => r.prefix === prefix);
  if (mentions.length === 0) return;
  const closing = new Set(extractClosingIdentifiers(title, body).filter((r) => r.prefix === prefix).map((r) => r.number));
  const found = await tx
    .select({ id: issues.id, number: issues.number })
    .from(issues)
    .where(and(eq(issues.workspaceId, inst.workspaceId), inArray(issues.number, mentions.map((m) => m.number))));
  // After a merge or close, later edits keep the close intent decided then.
  const preserve = action !== "closed" && (state === "merged" || state === "closed");
  for (const issue of found) {
    const declared = closing.has(issue.number);
    const insert = tx.insert(issuePullRequests).values({ issueId: issue.id, pullRequestId: row!.id, closeIntent: declared && !preserve });
    if (preserve) await insert.onConflictDoNothing();
    else await insert.onConflictDoUpdate({ target: [issuePullRequests.issueId, issuePullRequests.pullRequestId], set: { closeIntent: declared } });
  }
  if (state !== "merged" && state !== "closed") return;

  // Auto-advance: done once no linked PR is open/draft and at least one merged PR declared it closed.
  for (const issue of found) {
    const [counts] = await tx
      .select({
        open: sql<number>`count(*) filter (where ${githubPullRequests.state} in ('open', 'draft'))`,
        mergedClosing: sql<number>`count(*) filter (where ${githubPullRequests.state} = 'merged' and ${issuePullRequests.closeIntent})`,
      })
      .from(issuePullRequests)
      .innerJoin(githubPullRequests, eq(githubPullRequests.id, issuePullRequests.pullRequestId))
      .where(eq(issuePullRequests.issueId, issue.id));
    if (Number(counts!.open) > 0 || Number(counts!.mergedClosing) === 0) continue;
    const [done] = await tx
      .update(issues)
      .set({ status: "done", updatedAt: now })
      .where(and(eq(issues.id, issue.id), notInArray(issues.status, ["done", "cancelled"])))
      .returning({ id: issues.id, originType: issues.originType, originId: issues.originId });
    if (done) fx.doneIssues.push(done);
  }
}

/** Completed suites of known PRs; an older event never overwrites a newer row. */
async function onCheckSuite(tx: Tx, p: Obj) {
  if (str(p.action) !== "completed") return;
  const inst = await installationRow(tx, p);
  if (!inst) return;
  const suite = (p.check_suite ?? {}) as Obj;
  const prs = Array.isArray(suite.pull_requests) ? (suite.pull_requests as Obj[]) : [];
  const owner = str(p.repository?.owner?.login);
  const repo = str(p.repository?.name);
  const suiteId = num(suite.id);
  if (prs.length === 0 || !suiteId) return;
  const updatedAt = date(suite.updated_at) ?? new Date();
  for (const ref of prs.slice(0, 50)) {
    const [pr] = await tx
      .select({ id: githubPullRequests.id })
      .from(githubPullRequests)
      .where(
        and(
          eq(githubPullRequests.workspaceId, inst.workspaceId),
          eq(githubPullRequests.repoOwner, owner),
          eq(githubPullRequests.repoName, repo),
          eq(githubPullRequests.prNumber, num(ref.number)),
        ),
      );
    if (!pr) continue;
    const values = {
      headSha: str(suite.head_sha).slice(0, 64),
      appId: num(suite.app?.id),
      conclusion: str(suite.conclusion).slice(0, 50) || null,
      status: str(suite.status).slice(0, 50) || "completed",
      updatedAt,
    };
    await tx
      .insert(githubCheckSuites)
      .values({ prId: pr.id, suiteId, ...values })
      .onConflictDoUpdate({
        target: [githubCheckSuites.prId, githubCheckSuites.suiteId],
        set: values,
        setWhere: sql`excluded.updated_at >= ${githubCheckSuites.updatedAt}`,
      });
  }
}
