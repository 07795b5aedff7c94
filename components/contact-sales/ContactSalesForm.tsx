"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { Field, fieldError } from "@/components/ui/Field";
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
  // The API names the failing field ("business_email: please use…"): show the message by that field, not the key.
  const err = fieldError(error, Object.keys(EMPTY) as (keyof typeof EMPTY)[]);
  const errorOf = (field: keyof typeof EMPTY) => (err?.field === field ? err.message : null);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (error) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error]);

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
    <form ref={formRef} className="panel" onSubmit={submit} aria-labelledby={f("heading")} data-testid="contact-sales-form">
      <h2 id={f("heading")}>{heading}</h2>
      <div className="row field-pair">
        <div>
          <Field id={f("first")} label="First name" error={errorOf("first_name")}>
            <input name="first_name" autoComplete="given-name" required maxLength={80} value={form.first_name} onChange={set("first_name")} />
          </Field>
        </div>
        <div>
          <Field id={f("last")} label="Last name" error={errorOf("last_name")}>
            <input name="last_name" autoComplete="family-name" required maxLength={80} value={form.last_name} onChange={set("last_name")} />
          </Field>
        </div>
      </div>
      <Field id={f("email")} label="Business email" hint="Please use your work address; personal mail providers are not accepted." error={errorOf("business_email")}>
        <input name="business_email" type="email" autoComplete="email" required maxLength={254} value={form.business_email} onChange={set("business_email")} />
      </Field>
      <Field id={f("company")} label="Company name" error={errorOf("company_name")}>
        <input name="company_name" autoComplete="organization" required maxLength={200} value={form.company_name} onChange={set("company_name")} />
      </Field>
      <Field id={f("size")} label="Company size" error={errorOf("company_size")}>
      <select name="company_size" required value={form.company_size} onChange={set("company_size")}>
        <option value="" disabled>
          Choose a size
        </option>
        {COMPANY_SIZES.map((s) => (
          <option key={s} value={s}>
            {s} people
          </option>
        ))}
      </select>
      </Field>
      <Field id={f("country")} label="Country or region" error={errorOf("country_region")}>
        <input name="country_region" autoComplete="country-name" required maxLength={80} value={form.country_region} onChange={set("country_region")} />
      </Field>
      <Field id={f("use")} label="What would you like to do?" error={errorOf("use_case")}>
      <select name="use_case" required value={form.use_case} onChange={set("use_case")}>
        <option value="" disabled>
          Choose one
        </option>
        {USE_CASES.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      </Field>
      <Field id={f("goals")} label="Goals (optional)" error={errorOf("goals")}>
        <textarea name="goals" maxLength={2000} value={form.goals} onChange={set("goals")} />
      </Field>
      {/* Honeypot: hidden from people and assistive technology; bots that fill every field give themselves away. */}
      <div className="visually-hidden" aria-hidden="true">
        <label htmlFor={f("website")}>Website</label>
        <input id={f("website")} name="website" tabIndex={-1} autoComplete="off" value={form.website} onChange={set("website")} />
      </div>
      <p className="check-row">
        <input id={f("outreach")} name="consent_outreach" type="checkbox" checked={form.consent_outreach} onChange={set("consent_outreach")} />
        <label htmlFor={f("outreach")}>
          You may contact me about this request
        </label>
      </p>
      <p className="check-row">
        <input id={f("updates")} name="consent_updates" type="checkbox" checked={form.consent_updates} onChange={set("consent_updates")} />
        <label htmlFor={f("updates")}>
          Send me product updates
        </label>
      </p>
      <p>
        <button type="submit" disabled={busy}>
          {busy ? "Sending…" : "Contact sales"}
        </button>
      </p>
      {/* Errors that belong to no single field (rate limit, network) show here. */}
      <FormError error={err && !err.field ? err.message : null} />
    </form>
  );
}
