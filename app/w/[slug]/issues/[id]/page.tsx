import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/lib/db";
import { HttpError } from "@/lib/http/errors";
import { getIssue, listComments } from "@/lib/issues";
import { pageWorkspace } from "@/lib/ui/workspace";
import { IssueTaskPanel } from "@/components/tasks/IssueTaskPanel";
import { Badge, statusTone } from "@/components/ui/Badge";
import { LiveRefresh } from "@/components/ui/LiveRefresh";
import { Breadcrumbs } from "@/components/ui/Breadcrumbs";
import { Markdown } from "@/components/ui/Markdown";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { assignablePeople, personName } from "../people";
import { CommentForm } from "./CommentForm";
import { EditIssueForm } from "./EditIssueForm";
import { IssueControls } from "./IssueControls";
import { PullRequests } from "./PullRequests";

type Params = Promise<{ slug: string; id: string }>;

/** The issue for this request (shared by the page and its <title>); another workspace's or a missing one → 404. */
const loadIssue = cache(async (slug: string, ref: string) => {
  const m = await pageWorkspace(slug);
  try {
    return { m, issue: await getIssue(await getDb(), m, decodeURIComponent(ref)) };
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) notFound();
    throw err;
  }
});

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { slug, id } = await params;
  const { issue } = await loadIssue(slug, id);
  return { title: `${issue.identifier} ${issue.title}` };
}

export default async function IssuePage({ params }: { params: Params }) {
  const { slug, id } = await params;
  const { m, issue } = await loadIssue(slug, id);
  const db = await getDb();
  const [comments, people] = await Promise.all([listComments(db, m, issue.id), assignablePeople(m)]);
  const base = `/w/${m.workspace.slug}`;
  return (
    <main id="main">
      <LiveRefresh ms={5000} />
      <Breadcrumbs
        items={[
          { href: base, label: m.workspace.name },
          { href: `${base}/issues`, label: "Issues" },
          { label: issue.identifier },
        ]}
      />
      <h1>
        <Badge>{issue.identifier}</Badge> {issue.title}
      </h1>
      <p className="muted">
        <Badge tone={statusTone(issue.status)} data-status={issue.status}>
          {issue.status.replace("_", " ")}
        </Badge>{" "}
        Created by {personName(people, issue.creator_type, issue.creator_id)} <RelativeTime iso={issue.created_at} />
        {issue.origin_type !== "manual" && ` · from ${issue.origin_type}`}
      </p>
      <IssueControls
        workspaceId={m.workspace.id}
        issueId={issue.id}
        status={issue.status}
        priority={issue.priority}
        assignee={issue.assignee_type && issue.assignee_id ? `${issue.assignee_type}:${issue.assignee_id}` : ""}
        people={people}
      />
      {issue.assignee_type === "agent" && (
        <section aria-labelledby="agent-work">
          <h2 id="agent-work">Agent work</h2>
          <IssueTaskPanel workspaceId={m.workspace.id} issueId={issue.id} refreshKey={issue.updated_at} agentsHref={`${base}/agents`} runtimesHref={`${base}/runtimes`} />
        </section>
      )}
      <PullRequests m={m} issueId={issue.id} />
      <h2>Description</h2>
      {issue.description ? <Markdown>{issue.description}</Markdown> : <p className="muted">No description.</p>}
      <EditIssueForm workspaceId={m.workspace.id} issueId={issue.id} title={issue.title} description={issue.description} />
      <h2>Comments</h2>
      {comments.length === 0 ? (
        <p className="muted">No comments yet.</p>
      ) : (
        <ol aria-label="Comments" className="comments">
          {comments.map((c) => (
            <li key={c.id} className="panel">
              <strong>{personName(people, c.author_type, c.author_id)}</strong> <span className="muted"><RelativeTime iso={c.created_at} /></span>
              <Markdown>{c.body}</Markdown>
            </li>
          ))}
        </ol>
      )}
      <CommentForm workspaceId={m.workspace.id} issueId={issue.id} />
    </main>
  );
}
