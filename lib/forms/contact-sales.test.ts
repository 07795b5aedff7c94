import { describe, expect, it } from "vitest";
import { canonicalMailbox, contactSalesBody, FREE_MAIL_DOMAINS } from "./contact-sales";

describe("canonicalMailbox", () => {
  it.each([
    ["jane@acme.io", "jane@acme.io"],
    ["  Jane@Acme.IO ", "jane@acme.io"],
    ["Jane Doe <Jane.Doe@Acme.io>", "jane.doe@acme.io"],
    ['"Doe, Jane" <jane@acme.io>', "jane@acme.io"],
  ])("%s → %s", (raw, expected) => expect(canonicalMailbox(raw)).toBe(expected));

  it.each(["", "jane", "jane@", "@acme.io", "Jane <jane@acme.io", "a <b@c.io> <d@e.io>"])("rejects %j", (raw) =>
    expect(canonicalMailbox(raw)).toBeNull(),
  );
});

describe("business email rule", () => {
  const base = {
    first_name: "A",
    last_name: "B",
    company_name: "C",
    company_size: "1-10",
    country_region: "NL",
    use_case: "other",
  };
  it("blocks each of the 28 free-mail domains, case-insensitively", () => {
    expect(FREE_MAIL_DOMAINS.size).toBe(28);
    for (const d of FREE_MAIL_DOMAINS) {
      const r = contactSalesBody.safeParse({ ...base, business_email: `x@${d.toUpperCase()}` });
      expect(r.success, d).toBe(false);
      expect(r.error?.issues[0]?.message).toBe("please use a business email address");
    }
  });

  it("accepts a subdomain of a company", () => {
    expect(contactSalesBody.safeParse({ ...base, business_email: "x@eu.gmail-partners.com" }).success).toBe(true);
  });
});
