"use client";

import { Suspense, useEffect, type ReactNode } from "react";
import { startAnalytics } from "@/lib/analytics-client";
import { ConsentBanner } from "@/components/analytics/ConsentBanner";
import { PageviewTracker } from "@/lib/analytics-client/pageview-tracker";

/**
 * Client-side providers mounted once by the root layout: signup-source cookie, analytics init, pageviews, and the
 * consent banner (shown only with ANALYTICS_CONSENT=required until the person chooses).
 * The session-resume identify is `components/analytics/IdentifySession`, mounted by authenticated layouts.
 */
export function Providers({ children }: { children: ReactNode }) {
  useEffect(() => {
    // Also writes the signup-source cookie (when consent allows) before any login can create the account.
    void startAnalytics();
  }, []);

  return (
    <>
      {children}
      <Suspense fallback={null}>
        <PageviewTracker />
      </Suspense>
      <ConsentBanner />
    </>
  );
}
