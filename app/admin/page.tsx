import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LogoutButton } from "@/components/auth/LogoutButton";
import { adminReport, conversion, FUNNEL_STEPS, isAdmin, type StepCounts } from "@/lib/admin";
import { getDb } from "@/lib/db";
import { currentUser } from "@/lib/ui/session";
import { FunnelChart } from "./funnel-chart";
import "./admin.css";

/** Anyone but an admin gets the 404 page, and its title: "Operator" would say the page exists. */
export async function generateMetadata(): Promise<Metadata> {
  const user = await currentUser();
  return { title: user && isAdmin(user.email) ? "Operator" : "Not found", robots: { index: false } };
}

const pct = (v: number | null) => (v === null ? "–" : `${(v * 100).toFixed(1)} %`);
const secs = (v: number | null) => (v === null ? "–" : v < 120 ? `${v.toFixed(1)} s` : `${(v / 60).toFixed(1)} min`);

/**
 * A row's step counts. A cohort of users (`ofSignups`) shows each later step as a share of its signups: its steps
 * count users and need not nest (invitees onboard without creating a workspace). A day's row counts what happened
 * that day, whoever did it, so it has no percentages: one user's six workspaces are not a 600 % conversion.
 */
function StepCells({ row, ofSignups = false }: { row: StepCounts; ofSignups?: boolean }) {
  return FUNNEL_STEPS.map((s, i) => (
    <td key={s.key} className="num">
      {row[s.key]}
      {ofSignups && i > 0 && <span className="muted"> ({pct(conversion(row.signups, row[s.key]))})</span>}
    </td>
  ));
}

/** The operator page: the funnel from the database beside the live counters, and task health. Admins only (404). */
export default async function AdminPage() {
  const user = await currentUser();
  if (!user || !isAdmin(user.email)) notFound();
  const r = await adminReport(await getDb());
  const drift = r.live.rows.some((row) => row.counter !== row.database);
  return (
    <main id="main" className="admin">
      <header className="row" style={{ justifyContent: "space-between" }}>
        <Link className="brand" href="/home">
          Tandem
        </Link>
        <nav aria-label="Account" className="row">
          <Link href="/home">Back to your workspace</Link>
          <LogoutButton />
        </nav>
      </header>
      <h1>Operator</h1>
      <p className="muted">
        Generated {r.generatedAt.toISOString().replace("T", " ").slice(0, 19)} UTC. Counted in the database (the source of
        truth) over the last {r.days.length} days.
      </p>

      <section className="panel" aria-labelledby="funnel-h">
        <h2 id="funnel-h">Funnel, last {r.days.length} days</h2>
        <p className="muted">Users who signed up in the window and how far they got; in brackets, the share of those signups.</p>
        <table className="admin-steps" tabIndex={0}>
          <thead>
            <tr>
              {FUNNEL_STEPS.map((s) => (
                <th key={s.key} scope="col">{s.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <StepCells row={r.totals} ofSignups />
            </tr>
          </tbody>
        </table>
      </section>

      <section className="panel" aria-labelledby="live-h">
        <h2 id="live-h">Live counters beside the database</h2>
        <p className="muted">
          This node&apos;s Prometheus counters since it started ({r.live.since.toISOString().replace("T", " ").slice(0, 19)} UTC) and the
          same steps counted in the database since then. On several nodes each counter covers its own node only.
        </p>
        <table tabIndex={0}>
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col" className="num">Counter (this node)</th>
              <th scope="col" className="num">Database</th>
              <th scope="col" className="num">Drift</th>
            </tr>
          </thead>
          <tbody>
            {r.live.rows.map((row) => (
              <tr key={row.key} data-step={row.key}>
                <th scope="row">{row.label}</th>
                <td className="num">{row.counter}</td>
                <td className="num">{row.database}</td>
                <td className={`num ${row.counter === row.database ? "ok" : "error"}`}>{row.counter - row.database}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className={drift ? "error" : "ok"}>{drift ? "Counters and database disagree." : "Counters and database agree."}</p>
      </section>

      <section className="panel" aria-labelledby="days-h">
        <h2 id="days-h">By day (UTC)</h2>
        <p className="muted">What happened each day: signups, workspaces created, onboardings completed, issues first executed.</p>
        <FunnelChart days={r.days} steps={FUNNEL_STEPS.map((s) => ({ key: s.key, label: s.label }))} />
        <p>
          <a href="/admin/export?table=days" download>Download CSV</a>
        </p>
        <table id="funnel-by-day" tabIndex={0}>
          <thead>
            <tr>
              <th scope="col">Date</th>
              {FUNNEL_STEPS.map((s) => (
                <th key={s.key} scope="col" className="num">{s.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {[...r.days].reverse().map((d) => (
              <tr key={d.day}>
                <th scope="row">{d.day}</th>
                <StepCells row={d} />
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="panel" aria-labelledby="sources-h">
        <h2 id="sources-h">By signup source</h2>
        <p className="muted">Users who signed up in the window, by first-touch source, and how far they got; in brackets, the share of that source&apos;s signups.</p>
        <p>
          <a href="/admin/export?table=sources" download>Download CSV</a>
        </p>
        <table id="funnel-by-source" tabIndex={0}>
          <thead>
            <tr>
              <th scope="col">Source</th>
              {FUNNEL_STEPS.map((s) => (
                <th key={s.key} scope="col" className="num">{s.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {r.sources.length === 0 && (
              <tr>
                <td colSpan={FUNNEL_STEPS.length + 1} className="muted">No signups in the window.</td>
              </tr>
            )}
            {r.sources.map((s) => (
              <tr key={s.source}>
                <th scope="row">{s.source}</th>
                <StepCells row={s} ofSignups />
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="panel" aria-labelledby="tasks-h">
        <h2 id="tasks-h">Task health</h2>
        <table id="task-health" tabIndex={0}>
          <tbody>
            <tr><th scope="row">Queued now</th><td className="num">{r.tasks.open.queued}</td></tr>
            <tr><th scope="row">Running now</th><td className="num">{r.tasks.open.running}</td></tr>
            <tr><th scope="row">Stuck (running &gt; 30 min)</th><td className={`num ${r.tasks.open.stuck > 0 ? "error" : ""}`}>{r.tasks.open.stuck}</td></tr>
            <tr><th scope="row">Queue wait p50 / p95 (24 h)</th><td className="num">{secs(r.tasks.queueWaitSeconds.p50)} / {secs(r.tasks.queueWaitSeconds.p95)}</td></tr>
            <tr><th scope="row">Run time p50 / p95 (24 h)</th><td className="num">{secs(r.tasks.runSeconds.p50)} / {secs(r.tasks.runSeconds.p95)}</td></tr>
            {r.tasks.byStatus.map((s) => (
              <tr key={s.status}><th scope="row">{s.status} (created in 24 h)</th><td className="num">{s.n}</td></tr>
            ))}
          </tbody>
        </table>
        <h3>Failure reasons (7 days)</h3>
        {r.tasks.failureReasons.length === 0 ? (
          <p className="muted">No failed tasks.</p>
        ) : (
          <table tabIndex={0}>
            <tbody>
              {r.tasks.failureReasons.map((f) => (
                <tr key={f.reason}><th scope="row">{f.reason}</th><td className="num">{f.n}</td></tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}
