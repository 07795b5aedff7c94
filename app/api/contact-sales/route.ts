import { getDb } from "@/lib/db";
import { CONTACT_SALES_BODY_LIMIT, contactSalesEnvelope, submitContactSales } from "@/lib/forms";
import { clientIp, json, readJson, route } from "@/lib/http";
import { getStore } from "@/lib/store";

/** Public: no session needed (a visitor's form). */
export const POST = route("/api/contact-sales", async (req) => {
  const raw = await readJson(req, contactSalesEnvelope, CONTACT_SALES_BODY_LIMIT);
  const created = await submitContactSales(await getDb(), await getStore(), raw, {
    ip: clientIp(req),
    userAgent: req.headers.get("user-agent") ?? "",
  });
  return json(created, 201);
});
