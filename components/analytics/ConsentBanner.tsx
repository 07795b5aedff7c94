"use client";

import { useEffect, useState } from "react";
import {
  CONSENT_CHANGED_EVENT,
  currentConsentChoice,
  setAnalyticsConsent,
  signedIn,
  startAnalytics,
  type ConsentChoice,
} from "@/lib/analytics-client";
import { api } from "@/lib/ui/api";

/**
 * Shown with ANALYTICS_CONSENT=required until the person chooses. Until then (and after a refusal) posthog-js keeps
 * its ids in memory only and nobody is identified. A signed-in person's choice is also stored on the account.
 */
export function ConsentBanner() {
  const [open, setOpen] = useState(false);

  useEffect(() => {
    let live = true;
    void startAnalytics().then((config) => {
      if (live && config?.analytics_consent === "required" && currentConsentChoice() === null) setOpen(true);
    });
    // A choice made elsewhere (settings, or the one stored on the account) closes the banner.
    const close = () => setOpen(false);
    window.addEventListener(CONSENT_CHANGED_EVENT, close);
    return () => {
      live = false;
      window.removeEventListener(CONSENT_CHANGED_EVENT, close);
    };
  }, []);

  if (!open) return null;

  const choose = (choice: ConsentChoice) => {
    setAnalyticsConsent(choice);
    setOpen(false);
    // A visitor has no account yet: the cookie carries the choice to sign-up, and IdentifySession syncs it later.
    if (signedIn()) void api("/api/me/analytics-consent", { method: "PUT", body: { choice } }).catch(() => {});
  };

  return (
    <section className="consent-banner" role="region" aria-label="Analytics consent">
      <p>
        May we use product analytics to learn how Tandem is used? Nothing personal is stored or sent unless you
        agree. You can change this later in Settings.
      </p>
      <div className="row">
        <button type="button" onClick={() => choose("granted")}>
          Allow analytics
        </button>
        <button type="button" onClick={() => choose("denied")}>
          Decline
        </button>
      </div>
    </section>
  );
}
