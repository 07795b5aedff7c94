import { CSV_TABLES, adminReport, isAdmin, reportCsv, type CsvTable } from "@/lib/admin";
import { optionalUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { badRequest, notFound, route } from "@/lib/http";

/** GET /admin/export?table=days|sources — the operator funnel as CSV; 404 for everyone but admins. */
export const GET = route("/admin/export", async (req) => {
  const db = await getDb();
  const principal = await optionalUser(req, db);
  if (!principal || !isAdmin(principal.user.email)) throw notFound();
  const table = new URL(req.url).searchParams.get("table") ?? "days";
  if (!(CSV_TABLES as readonly string[]).includes(table)) throw badRequest(`table must be one of ${CSV_TABLES.join(", ")}`);
  const body = reportCsv(await adminReport(db), table as CsvTable);
  const date = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="tandem-funnel-${table}-${date}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});
