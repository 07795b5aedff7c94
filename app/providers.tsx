"use client";

import { Suspense, useEffect, type ReactNode } from "react";
import { captureSignupSource, startAnalytics } from "@/lib/analytics-client";
import { PageviewTracker } from "@/lib/analytics-client/pageview-tracker";

/**
 * Client-side providers mounted once by the root layout: signup-source cookie, analytics init, pageviews.
 * The session-resume identify is `components/analytics/IdentifySession`, mounted by authenticated layouts.
 */
export function Providers({ children }: { children: ReactNode }) {
  useEffect(() => {
    // First, so the cookie exists before any login can create the account.
    captureSignupSource();
    void startAnalytics();
  }, []);

  return (
    <>
      {children}
      <Suspense fallback={null}>
        <PageviewTracker />
      </Suspense>
    </>
  );
}
