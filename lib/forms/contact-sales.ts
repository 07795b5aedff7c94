import { randomUUID } from "node:crypto";
import { z } from "zod";
import { config } from "@/lib/config";
import type { Db } from "@/lib/db";
import { contactSalesInquiries } from "@/lib/db/schema";
import { badRequest, describeZodError, tooManyRequests } from "@/lib/http/errors";
import { personalKey, rateLimit, type SharedStore } from "@/lib/store";
import { events, recordEvent, withEvents } from "@/lib/telemetry";
import { requiredString } from "@/lib/http/body";

export const COMPANY_SIZES = ["1-10", "11-50", "51-200", "201-500", "501-1000", "1000+"] as const;
export const CONTACT_USE_CASES = ["evaluate", "adopt_team", "self_host", "integrate", "partner", "other"] as const;
export const CONTACT_SOURCES = ["page", "onboarding", "agents_page"] as const;
export type ContactSource = (typeof CONTACT_SOURCES)[number];

/** The reference's 28 free-mail domains: an inquiry must come from a business address. */
export const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "yahoo.co.uk",
  "yahoo.co.jp", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com", "protonmail.com", "proton.me", "pm.me",
  "gmx.com", "gmx.de", "mail.com", "zoho.com", "yandex.com", "yandex.ru", "qq.com", "163.com", "126.com", "sina.com",
  "foxmail.com",
]);

/** A field real people never see or fill (hidden in the form); anything in it marks the submission as a bot. */
export const HONEYPOT_FIELD = "website";

export const CONTACT_SALES_BODY_LIMIT = 16 * 1024;
const HOUR_MS = 3_600_000;

const requiredText = (field: string, max: number) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .min(1, `${field} is required`)
    .max(max, `${field} is too long`);

const mailbox = z.email();

/**
 * "Jane Doe <Jane@Acme.io>" or "jane@acme.io" → "jane@acme.io" (the canonical lower-cased address), else null.
 */
export function canonicalMailbox(raw: string): string | null {
  const s = raw.trim();
  const angle = /^[^<>]*<([^<>]+)>$/.exec(s);
  const address = (angle ? angle[1]! : s).trim().toLowerCase();
  return mailbox.safeParse(address).success ? address : null;
}

const businessEmail = requiredString("business_email")
  .trim()
  .min(1, "business_email is required")
  .transform((v, ctx) => {
    const address = canonicalMailbox(v);
    if (!address) {
      ctx.addIssue({ code: "custom", message: "business_email is invalid" });
      return z.NEVER;
    }
    if (address.length > 254) {
      ctx.addIssue({ code: "custom", message: "business_email is too long" });
      return z.NEVER;
    }
    if (FREE_MAIL_DOMAINS.has(address.slice(address.lastIndexOf("@") + 1))) {
      ctx.addIssue({ code: "custom", message: "please use a business email address" });
      return z.NEVER;
    }
    return address;
  });

export const contactSalesBody = z.object({
  first_name: requiredText("first_name", 80),
  last_name: requiredText("last_name", 80),
  business_email: businessEmail,
  company_name: requiredText("company_name", 200),
  company_size: z.enum(COMPANY_SIZES, { error: `company_size must be one of ${COMPANY_SIZES.join(", ")}` }),
  country_region: requiredText("country_region", 80),
  use_case: z.enum(CONTACT_USE_CASES, { error: `use_case must be one of ${CONTACT_USE_CASES.join(", ")}` }),
  goals: z.string({ error: "goals must be a string" }).trim().max(2000, "goals is too long").optional(),
  source: z.enum(CONTACT_SOURCES, { error: `source must be one of ${CONTACT_SOURCES.join(", ")}` }).default("page"),
  consent_outreach: z.boolean({ error: "consent_outreach must be a boolean" }).default(false),
  consent_updates: z.boolean({ error: "consent_updates must be a boolean" }).default(false),
});

export type ContactSalesInput = z.infer<typeof contactSalesBody>;

/** Raw JSON accepted before validation, so the honeypot and the per-IP limit run first. */
export const contactSalesEnvelope = z.record(z.string(), z.unknown(), { error: "invalid request body" });

/**
 * Public contact-sales form. Order: honeypot (a bot gets a 201 that looks real; nothing is stored, no event),
 * validation (a rejected form changes nothing, its visitor's allowance included: a typo or a free-mail address
 * must not lock them out), the per-IP limit, the per-email limit, then the insert and `contact_sales_submitted`.
 */
export async function submitContactSales(
  db: Db,
  store: SharedStore,
  raw: Record<string, unknown>,
  meta: { ip: string; userAgent: string },
) {
  const trap = raw[HONEYPOT_FIELD];
  if (trap !== undefined && trap !== null && trap !== "" && trap !== false) {
    return { id: randomUUID(), created_at: new Date().toISOString() };
  }

  const parsed = contactSalesBody.safeParse(raw);
  if (!parsed.success) throw badRequest(describeZodError(parsed.error));
  const input = parsed.data;

  const c = config();
  // Without server.mjs the peer address is "unknown"; those requests share one bucket rather than go unlimited.
  const perIp = await rateLimit(store, `contact-sales:ip:${meta.ip}`, c.RATE_LIMIT_CONTACT_SALES_IP, HOUR_MS);
  if (!perIp.allowed) throw tooManyRequests(perIp.retryAfterSeconds);

  const perEmail = await rateLimit(store, `contact-sales:email:${personalKey(input.business_email)}`, c.RATE_LIMIT_CONTACT_SALES_EMAIL, HOUR_MS);
  if (!perEmail.allowed) throw tooManyRequests(perEmail.retryAfterSeconds);

  const goals = input.goals ? input.goals : null;
  const row = await withEvents(db, async (tx) => {
    const [r] = await tx
      .insert(contactSalesInquiries)
      .values({
        firstName: input.first_name,
        lastName: input.last_name,
        businessEmail: input.business_email,
        companyName: input.company_name,
        companySize: input.company_size,
        countryRegion: input.country_region,
        useCase: input.use_case,
        goals,
        source: input.source,
        consentOutreach: input.consent_outreach,
        consentUpdates: input.consent_updates,
        submitterIp: meta.ip === "unknown" ? null : meta.ip,
        userAgent: meta.userAgent.slice(0, 512) || null,
      })
      .returning({ id: contactSalesInquiries.id, createdAt: contactSalesInquiries.createdAt });
    recordEvent(
      events.contactSalesSubmitted({
        inquiryId: r!.id,
        companySize: input.company_size,
        countryRegion: input.country_region,
        useCase: input.use_case,
        hasGoals: goals !== null,
        formSource: input.source,
      }),
      tx,
    );
    return r;
  });
  return { id: row!.id, created_at: row!.createdAt.toISOString() };
}
