import Link from "next/link";
import { getDb } from "@/lib/db";
import { ISSUE_STATUSES, listIssues, type IssueStatus } from "@/lib/issues";
import { ListTable } from "@/components/ui/Table";
import { pageWorkspace } from "@/lib/ui/workspace";
import { NewIssueForm } from "./NewIssueForm";
import { assignablePeople, personName } from "./people";

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
    limit: 200,
    offset: 0,
  });
  return (
    <main id="main">
      <h1>Issues</h1>
      <form method="get" className="row" role="search" aria-label="Filter issues">
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
        <div>
          <button type="submit" className="secondary">
            Filter
          </button>
        </div>
      </form>
      <ListTable
        label="Issues"
        columns={["ID", "Title", "Status", "Priority", "Assignee"]}
        items={issues}
        empty="No issues match."
        row={(i) => (
          <tr key={i.id}>
            <td>{i.identifier}</td>
            <td>
              <Link href={`/w/${m.workspace.slug}/issues/${i.identifier}`}>{i.title}</Link>
            </td>
            <td>{i.status.replace("_", " ")}</td>
            <td>{i.priority}</td>
            <td>{personName(people, i.assignee_type, i.assignee_id)}</td>
          </tr>
        )}
      />
      <NewIssueForm workspaceId={m.workspace.id} people={people} />
    </main>
  );
}
