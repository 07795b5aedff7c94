"use client";

import { useEffect } from "react";
import { currentConsentChoice, identifyUser, setAnalyticsConsent, startAnalytics } from "@/lib/analytics-client";
import { api } from "@/lib/ui/api";

type ConsentOnAccount = "granted" | "denied" | null;

/**
 * The "session resume" identify: mount it where the server already resolved the signed-in user (authenticated
 * layouts), so a returning user is identified on every visit, not only right after logging in. Because it runs
 * before analytics initialises, its id also bootstraps posthog-js (no anonymous first pageview for a known user).
 * With ANALYTICS_CONSENT=required it also reconciles the browser's choice with the one stored on the account.
 */
export function IdentifySession({ user }: { user: { id: string; email: string; name: string } }) {
  const { id, email, name } = user;
  useEffect(() => {
    identifyUser({ id, email, name });
    let live = true;
    void startAnalytics().then(async (config) => {
      if (!live || config?.analytics_consent !== "required") return;
      const me = await api<{ analytics_consent: ConsentOnAccount }>("/api/me").catch(() => null);
      if (!live || !me) return;
      const local = currentConsentChoice();
      if (me.analytics_consent && me.analytics_consent !== local) setAnalyticsConsent(me.analytics_consent);
      else if (!me.analytics_consent && local) await api("/api/me/analytics-consent", { method: "PUT", body: { choice: local } }).catch(() => {});
    });
    return () => {
      live = false;
    };
  }, [id, email, name]);
  return null;
}
