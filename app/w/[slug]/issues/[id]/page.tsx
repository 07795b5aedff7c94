import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/lib/db";
import { HttpError } from "@/lib/http/errors";
import { getIssue, listComments } from "@/lib/issues";
import { pageWorkspace } from "@/lib/ui/workspace";
import { TaskStatus } from "@/components/tasks/TaskStatus";
import { assignablePeople, personName } from "../people";
import { CommentForm } from "./CommentForm";
import { EditIssueForm } from "./EditIssueForm";
import { IssueControls } from "./IssueControls";

export default async function IssuePage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  const m = await pageWorkspace(slug);
  const db = await getDb();
  const ref = decodeURIComponent(id);
  let issue: Awaited<ReturnType<typeof getIssue>>;
  try {
    issue = await getIssue(db, m, ref);
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) notFound();
    throw err;
  }
  const [comments, people] = await Promise.all([listComments(db, m, issue.id), assignablePeople(m)]);
  return (
    <main id="main">
      <p>
        <Link href={`/w/${m.workspace.slug}/issues`}>← All issues</Link>
      </p>
      <h1>
        <span className="badge">{issue.identifier}</span> {issue.title}
      </h1>
      <p className="muted">
        Created by {personName(people, issue.creator_type, issue.creator_id)} on {new Date(issue.created_at).toUTCString()}
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
          <TaskStatus workspaceId={m.workspace.id} issueId={issue.id} />
        </section>
      )}
      <h2>Description</h2>
      {issue.description ? <pre style={{ whiteSpace: "pre-wrap", font: "inherit" }}>{issue.description}</pre> : <p className="muted">No description.</p>}
      <EditIssueForm workspaceId={m.workspace.id} issueId={issue.id} title={issue.title} description={issue.description} />
      <h2>Comments</h2>
      {comments.length === 0 ? (
        <p className="muted">No comments yet.</p>
      ) : (
        <ol aria-label="Comments">
          {comments.map((c) => (
            <li key={c.id}>
              <strong>{personName(people, c.author_type, c.author_id)}</strong>{" "}
              <span className="muted">{new Date(c.created_at).toUTCString()}</span>
              <p style={{ whiteSpace: "pre-wrap" }}>{c.body}</p>
            </li>
          ))}
        </ol>
      )}
      <CommentForm workspaceId={m.workspace.id} issueId={issue.id} />
    </main>
  );
}
