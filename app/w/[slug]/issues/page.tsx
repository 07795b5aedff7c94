import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/lib/db";
import { ISSUE_STATUSES, listIssues, type IssueStatus } from "@/lib/issues";
import { Badge, statusTone } from "@/components/ui/Badge";
import { LiveRefresh } from "@/components/ui/LiveRefresh";
import { Dialog } from "@/components/ui/Dialog";
import { EmptyState } from "@/components/ui/EmptyState";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { Table } from "@/components/ui/Table";
import { pageWorkspace } from "@/lib/ui/workspace";
import { NewIssueForm } from "./NewIssueForm";
import { assignablePeople, personName } from "./people";

export const metadata: Metadata = { title: "Issues" };

/** The list shows this many, newest first; the filters reach the rest. */
const ISSUES_SHOWN = 200;

type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

export default async function IssuesPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Search }) {
  const { slug } = await params;
  const sp = await searchParams;
  const m = await pageWorkspace(slug);
  const status = one(sp.status);
  const assignee = one(sp.assignee);
  const q = one(sp.q).slice(0, 200);
  const [type, id] = assignee.split(":");
  const people = await assignablePeople(m);
  const issues = await listIssues(await getDb(), m, {
    status: (ISSUE_STATUSES as readonly string[]).includes(status) ? [status as IssueStatus] : undefined,
    assigneeType: type === "member" || type === "agent" ? type : undefined,
    assigneeId: id && /^[0-9a-f-]{36}$/i.test(id) ? id : undefined,
    q: q || undefined,
    limit: ISSUES_SHOWN,
    offset: 0,
  });
  const filtered = Boolean(status || assignee || q);
  const base = `/w/${m.workspace.slug}/issues`;
  return (
    <main id="main">
      <LiveRefresh ms={5000} />
      <div className="page-head">
        <h1>Issues</h1>
        <Dialog title="New issue" trigger="New issue">
          <NewIssueForm workspaceId={m.workspace.id} people={people} />
        </Dialog>
      </div>
      {/* The controls show the URL's filters: keyed by them, and without the browser's restoring of typed values on
          Back (it would show a search the list does not apply). */}
      <form key={`${status}|${assignee}|${q}`} method="get" autoComplete="off" className="row" role="search" aria-label="Filter issues">
        <div>
          <label htmlFor="filter-status">Filter by status</label>
          <select id="filter-status" name="status" defaultValue={status}>
            <option value="">Any</option>
            {ISSUE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace("_", " ")}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="filter-assignee">Filter by assignee</label>
          <select id="filter-assignee" name="assignee" defaultValue={assignee}>
            <option value="">Anyone</option>
            {people.map((p) => (
              <option key={`${p.type}:${p.id}`} value={`${p.type}:${p.id}`}>
                {p.type === "agent" ? `${p.name} (agent)` : p.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="filter-q">Search titles</label>
          <input id="filter-q" name="q" type="search" defaultValue={q} />
        </div>
        <div className="row" style={{ alignSelf: "flex-end" }}>
          <button type="submit" className="secondary">
            Filter
          </button>
          {filtered && <Link href={base}>Clear filters</Link>}
        </div>
      </form>
      {issues.length === ISSUES_SHOWN && (
        <p className="muted" role="note">
          Showing the {ISSUES_SHOWN} newest issues. Filter by status, assignee or title to find older ones.
        </p>
      )}
      <Table
        label="Issues"
        columns={["ID", "Title", "Status", "Priority", "Assignee", "Updated"]}
        items={issues}
        empty={
          filtered ? (
            <EmptyState title="No issues match." action={<Link href={base}>Clear filters</Link>}>
              Try another status, assignee or search.
            </EmptyState>
          ) : (
            <EmptyState title="No issues yet">
              Create the first one with “New issue”, then assign it to a teammate or an agent.
            </EmptyState>
          )
        }
        row={(i) => (
          <tr key={i.id}>
            <td>{i.identifier}</td>
            <td>
              <Link href={`${base}/${i.identifier}`}>{i.title}</Link>
            </td>
            <td>
              <Badge tone={statusTone(i.status)}>{i.status.replace("_", " ")}</Badge>
            </td>
            <td>{i.priority}</td>
            <td>{personName(people, i.assignee_type, i.assignee_id)}</td>
            <td>
              <RelativeTime iso={i.updated_at} />
            </td>
          </tr>
        )}
      />
    </main>
  );
}
