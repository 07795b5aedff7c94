"use client";

import { useState } from "react";
import { FormError } from "@/components/ui/FormMessage";
import { setAnalyticsConsent, type ConsentChoice } from "@/lib/analytics-client";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

/** Settings: the person's analytics choice, stored on the account (the server stops identifying them on refusal). */
export function AnalyticsConsentPanel({ initial }: { initial: ConsentChoice | null }) {
  const [choice, setChoice] = useState<ConsentChoice | null>(initial);
  const { error, run } = useApiAction();

  function save(next: ConsentChoice) {
    void run("Could not save your choice", async () => {
      await api("/api/me/analytics-consent", { method: "PUT", body: { choice: next } });
      setAnalyticsConsent(next);
      setChoice(next);
    });
  }

  return (
    <section className="panel" aria-labelledby="analytics-consent-heading">
      <h2 id="analytics-consent-heading">Product analytics</h2>
      <p className="muted">
        {choice === "denied"
          ? "You declined: your usage is not linked to you, and nothing is stored in your browser for analytics."
          : choice === "granted"
            ? "You allowed product analytics, which helps us improve Tandem."
            : "You have not chosen yet."}
      </p>
      <div className="row">
        <button type="button" aria-pressed={choice === "granted"} onClick={() => save("granted")}>
          Allow analytics
        </button>
        <button type="button" aria-pressed={choice === "denied"} onClick={() => save("denied")}>
          Decline analytics
        </button>
      </div>
      <FormError error={error} />
    </section>
  );
}
