import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { POST as submit } from "@/app/api/contact-sales/route";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { contactSalesInquiries } from "@/lib/db/schema";
import { FREE_MAIL_DOMAINS } from "@/lib/forms";
import { PEER_IP_HEADER } from "@/lib/http/request";
import { call, uniqueEmail } from "./helpers/api";
import { captureEvents, metricValue } from "./helpers/telemetry";

// The peer address header is trusted only when the app runs behind server.mjs, which these tests stand in for.
process.env.TANDEM_SERVER = "1";

const sink = captureEvents();

let ipCounter = 0;
/** A distinct client address per test, so per-IP limits do not leak between tests. */
const nextIp = () => `203.0.113.${++ipCounter}`;

const valid = (overrides: Record<string, unknown> = {}) => ({
  first_name: " Ada ",
  last_name: "Lovelace",
  business_email: uniqueEmail("ada", "analytical.io"),
  company_name: "Analytical Engines",
  company_size: "51-200",
  country_region: "United Kingdom",
  use_case: "adopt_team",
  goals: "Roll out agents to 40 engineers",
  source: "page",
  consent_outreach: true,
  consent_updates: false,
  ...overrides,
});

const send = (body: unknown, ip = nextIp(), headers: Record<string, string> = {}) =>
  call(submit, { path: "/api/contact-sales", body, noOrigin: true, headers: { [PEER_IP_HEADER]: ip, "user-agent": "UA/1.0", ...headers } });

async function inquiriesFor(email: string) {
  return (await getDb()).select().from(contactSalesInquiries).where(eq(contactSalesInquiries.businessEmail, email));
}

async function inquiryCount() {
  return (await (await getDb()).select({ id: contactSalesInquiries.id }).from(contactSalesInquiries)).length;
}

afterEach(() => {
  delete process.env.TRUST_PROXY;
  resetConfigForTests();
});

describe("POST /api/contact-sales", () => {
  it("stores the inquiry (trimmed, peer IP, user agent) and emits contact_sales_submitted without names or goals", async () => {
    const body = valid();
    const before = await metricValue("tandem_contact_sales_submitted_total", { source: "page" });
    const res = await send(body, "198.51.100.7");
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), created_at: expect.any(String) });

    const [row] = await inquiriesFor(body.business_email);
    expect(row).toMatchObject({
      id: res.body.id,
      firstName: "Ada",
      companySize: "51-200",
      useCase: "adopt_team",
      goals: "Roll out agents to 40 engineers",
      source: "page",
      consentOutreach: true,
      consentUpdates: false,
      submitterIp: "198.51.100.7",
      userAgent: "UA/1.0",
    });

    const [ev] = sink.named("contact_sales_submitted");
    expect(ev!.distinct_id).toBe(res.body.id);
    expect(ev!.properties).toMatchObject({ company_size: "51-200", country_region: "United Kingdom", use_case: "adopt_team", has_goals: true, form_source: "page" });
    const wire = JSON.stringify(ev);
    for (const secret of ["Ada", "Lovelace", "Roll out", body.business_email, "198.51.100.7"]) expect(wire).not.toContain(secret);
    expect(await metricValue("tandem_contact_sales_submitted_total", { source: "page" })).toBe(before + 1);
  });

  it.each(["onboarding", "agents_page"])("carries form source %s into the event and the metric label", async (source) => {
    const before = await metricValue("tandem_contact_sales_submitted_total", { source });
    expect((await send(valid({ source }))).status).toBe(201);
    expect(sink.named("contact_sales_submitted")[0]!.properties.form_source).toBe(source);
    expect(await metricValue("tandem_contact_sales_submitted_total", { source })).toBe(before + 1);
  });

  it("defaults source to page, goals to none and consents to false", async () => {
    const body = valid();
    delete (body as Record<string, unknown>).source;
    delete (body as Record<string, unknown>).goals;
    delete (body as Record<string, unknown>).consent_outreach;
    delete (body as Record<string, unknown>).consent_updates;
    expect((await send(body)).status).toBe(201);
    const [row] = await inquiriesFor(body.business_email);
    expect(row).toMatchObject({ source: "page", goals: null, consentOutreach: false, consentUpdates: false });
    expect(sink.named("contact_sales_submitted")[0]!.properties).toMatchObject({ form_source: "page", has_goals: false });
  });

  it("canonicalises a display-name address to lower-cased local@domain", async () => {
    const res = await send(valid({ business_email: "Ada Lovelace <Ada.L@Analytical.IO>" }));
    expect(res.status).toBe(201);
    expect(await inquiriesFor("ada.l@analytical.io")).toHaveLength(1);
  });

  it("blocks every free-mail domain of the reference list (28)", async () => {
    expect(FREE_MAIL_DOMAINS.size).toBe(28);
    for (const domain of ["gmail.com", "yahoo.co.jp", "proton.me", "163.com", "GMX.DE"]) {
      const res = await send(valid({ business_email: `someone@${domain}` }));
      expect(res.status).toBe(400);
      expect(res.body.error).toContain("please use a business email address");
    }
  });

  const long = (n: number) => "x".repeat(n);
  it.each([
    [{ first_name: undefined }, "first_name is required"],
    [{ first_name: "  " }, "first_name is required"],
    [{ first_name: long(81) }, "first_name is too long"],
    [{ last_name: "" }, "last_name is required"],
    [{ last_name: long(81) }, "last_name is too long"],
    [{ company_name: undefined }, "company_name is required"],
    [{ company_name: long(201) }, "company_name is too long"],
    [{ business_email: undefined }, "business_email is required"],
    [{ business_email: "not an email" }, "business_email is invalid"],
    [{ business_email: `${long(250)}@acme.io` }, "business_email is too long"],
    [{ business_email: "jo@hotmail.com" }, "please use a business email address"],
    [{ company_size: "2-5" }, "company_size must be one of"],
    [{ company_size: undefined }, "company_size must be one of"],
    [{ country_region: "" }, "country_region is required"],
    [{ country_region: long(81) }, "country_region is too long"],
    [{ use_case: "resell" }, "use_case must be one of"],
    [{ goals: long(2001) }, "goals is too long"],
    [{ source: "homepage_modal" }, "source must be one of"],
    [{ consent_outreach: "yes" }, "consent_outreach must be a boolean"],
  ])("rejects %j with 400, storing nothing and emitting nothing", async (override, message) => {
    const before = await inquiryCount();
    const res = await send(valid(override));
    expect(res.status).toBe(400);
    expect(res.body.error).toContain(message);
    expect(await inquiryCount()).toBe(before);
    expect(sink.messages).toHaveLength(0);
  });

  it("rejects invalid JSON with 400 and a body over 16 KiB with 413", async () => {
    const before = await inquiryCount();
    const bad = await call(submit, { rawBody: "{oops", headers: { "content-type": "application/json", [PEER_IP_HEADER]: nextIp() } });
    expect(bad.status).toBe(400);
    expect((await send(valid({ padding: long(17 * 1024) }))).status).toBe(413);
    expect(await inquiryCount()).toBe(before);
  });

  it("silently drops a filled honeypot: a 201 that looks real, nothing stored, no event", async () => {
    const body = valid({ website: "http://spam.example" });
    const before = await metricValue("tandem_contact_sales_submitted_total", { source: "page" });
    const res = await send(body);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), created_at: expect.any(String) });
    expect(await inquiriesFor(body.business_email)).toHaveLength(0);
    expect(sink.messages).toHaveLength(0);
    expect(await metricValue("tandem_contact_sales_submitted_total", { source: "page" })).toBe(before);
    // An empty honeypot (what a person's browser sends) is a normal submission.
    expect((await send(valid({ website: "" }))).status).toBe(201);
  });

  it("allows 5 per IP per hour; the 6th is a 429 that stores and emits nothing", async () => {
    const ip = nextIp();
    for (let i = 0; i < 5; i++) expect((await send(valid(), ip)).status).toBe(201);
    sink.clear();
    const before = await inquiryCount();
    const limited = await send(valid(), ip);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await inquiryCount()).toBe(before);
    expect(sink.messages).toHaveLength(0);
    // Another address still gets through.
    expect((await send(valid())).status).toBe(201);
  });

  it("a rejected form does not use up the visitor's allowance (a rejected request changes nothing)", async () => {
    const ip = nextIp();
    for (let i = 0; i < 6; i++) expect((await send(valid({ business_email: `me${i}@gmail.com` }), ip)).status).toBe(400);
    expect((await send({ first_name: "" }, ip)).status).toBe(400);
    for (let i = 0; i < 5; i++) expect((await send(valid(), ip)).status).toBe(201);
    expect((await send(valid(), ip)).status).toBe(429);
  });

  it("allows 3 per email per hour across addresses; the 4th is a 429", async () => {
    const email = uniqueEmail("repeat", "acme.io");
    for (let i = 0; i < 3; i++) expect((await send(valid({ business_email: email }))).status).toBe(201);
    sink.clear();
    const limited = await send(valid({ business_email: ` ${email.toUpperCase()} ` }));
    expect(limited.status).toBe(429);
    expect(await inquiriesFor(email)).toHaveLength(3);
    expect(sink.messages).toHaveLength(0);
  });

  it("ignores X-Forwarded-For unless TRUST_PROXY=true", async () => {
    const a = valid();
    await send(a, "192.0.2.10", { "x-forwarded-for": "10.9.8.7" });
    expect((await inquiriesFor(a.business_email))[0]!.submitterIp).toBe("192.0.2.10");

    process.env.TRUST_PROXY = "true";
    resetConfigForTests();
    const b = valid();
    await send(b, "192.0.2.11", { "x-forwarded-for": "10.9.8.7, 192.0.2.11" });
    expect((await inquiriesFor(b.business_email))[0]!.submitterIp).toBe("10.9.8.7");
  });
});
