"use client";

import { useId, useState, type FormEvent } from "react";
import { FormError } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

/** Where the form is shown; sent as `source` so `contact_sales_submitted_total{source}` carries a real value. */
export type ContactSalesSource = "page" | "onboarding" | "agents_page";

const COMPANY_SIZES = ["1-10", "11-50", "51-200", "201-500", "501-1000", "1000+"] as const;
const USE_CASES: ReadonlyArray<readonly [string, string]> = [
  ["evaluate", "Evaluate Tandem for my team"],
  ["adopt_team", "Roll it out to a team"],
  ["self_host", "Self-host it"],
  ["integrate", "Integrate it with our tools"],
  ["partner", "Partner with you"],
  ["other", "Something else"],
];

const EMPTY = {
  first_name: "",
  last_name: "",
  business_email: "",
  company_name: "",
  company_size: "",
  country_region: "",
  use_case: "",
  goals: "",
  consent_outreach: false,
  consent_updates: false,
  website: "",
};

/** The contact-sales form, shared by /contact-sales, onboarding and the agents page. */
export function ContactSalesForm({ source, heading = "Talk to sales" }: { source: ContactSalesSource; heading?: string }) {
  const id = useId();
  const [form, setForm] = useState(EMPTY);
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useApiAction();

  const set = (field: keyof typeof EMPTY) => (e: { target: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement }) =>
    setForm((f) => ({ ...f, [field]: e.target instanceof HTMLInputElement && e.target.type === "checkbox" ? e.target.checked : e.target.value }));

  function submit(e: FormEvent) {
    e.preventDefault();
    void run("Could not send the form, please try again", async () => {
      await api("/api/contact-sales", { body: { ...form, goals: form.goals || undefined, source } });
      setSent(true);
    });
  }

  if (sent) {
    return (
      <div className="panel" role="status">
        <h2>Thanks, we will be in touch</h2>
        <p>Someone from our team will reply to {form.business_email} within one business day.</p>
      </div>
    );
  }

  const f = (name: string) => `${id}-${name}`;
  return (
    <form className="panel" onSubmit={submit} aria-labelledby={f("heading")} data-testid="contact-sales-form">
      <h2 id={f("heading")}>{heading}</h2>
      <div className="row">
        <div>
          <label htmlFor={f("first")}>First name</label>
          <input id={f("first")} name="first_name" autoComplete="given-name" required maxLength={80} value={form.first_name} onChange={set("first_name")} />
        </div>
        <div>
          <label htmlFor={f("last")}>Last name</label>
          <input id={f("last")} name="last_name" autoComplete="family-name" required maxLength={80} value={form.last_name} onChange={set("last_name")} />
        </div>
      </div>
      <label htmlFor={f("email")}>Business email</label>
      <input id={f("email")} name="business_email" type="email" autoComplete="email" required maxLength={254} value={form.business_email} onChange={set("business_email")} aria-describedby={f("email-hint")} />
      <p id={f("email-hint")} className="muted">
        Please use your work address; personal mail providers are not accepted.
      </p>
      <label htmlFor={f("company")}>Company name</label>
      <input id={f("company")} name="company_name" autoComplete="organization" required maxLength={200} value={form.company_name} onChange={set("company_name")} />
      <label htmlFor={f("size")}>Company size</label>
      <select id={f("size")} name="company_size" required value={form.company_size} onChange={set("company_size")}>
        <option value="" disabled>
          Choose a size
        </option>
        {COMPANY_SIZES.map((s) => (
          <option key={s} value={s}>
            {s} people
          </option>
        ))}
      </select>
      <label htmlFor={f("country")}>Country or region</label>
      <input id={f("country")} name="country_region" autoComplete="country-name" required maxLength={80} value={form.country_region} onChange={set("country_region")} />
      <label htmlFor={f("use")}>What would you like to do?</label>
      <select id={f("use")} name="use_case" required value={form.use_case} onChange={set("use_case")}>
        <option value="" disabled>
          Choose one
        </option>
        {USE_CASES.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <label htmlFor={f("goals")}>Goals (optional)</label>
      <textarea id={f("goals")} name="goals" maxLength={2000} value={form.goals} onChange={set("goals")} />
      {/* Honeypot: hidden from people and assistive technology; bots that fill every field give themselves away. */}
      <div className="visually-hidden" aria-hidden="true">
        <label htmlFor={f("website")}>Website</label>
        <input id={f("website")} name="website" tabIndex={-1} autoComplete="off" value={form.website} onChange={set("website")} />
      </div>
      <p className="row">
        <input id={f("outreach")} name="consent_outreach" type="checkbox" checked={form.consent_outreach} onChange={set("consent_outreach")} />
        <label htmlFor={f("outreach")} style={{ display: "inline", fontWeight: 400, margin: 0 }}>
          You may contact me about this request
        </label>
      </p>
      <p className="row">
        <input id={f("updates")} name="consent_updates" type="checkbox" checked={form.consent_updates} onChange={set("consent_updates")} />
        <label htmlFor={f("updates")} style={{ display: "inline", fontWeight: 400, margin: 0 }}>
          Send me product updates
        </label>
      </p>
      <p>
        <button type="submit" disabled={busy}>
          {busy ? "Sending…" : "Contact sales"}
        </button>
      </p>
      <FormError error={error} />
    </form>
  );
}
