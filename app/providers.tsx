"use client";

import { Suspense, useEffect, type ReactNode } from "react";
import { startAnalytics } from "@/lib/analytics-client";
import { ConsentBanner } from "@/components/analytics/ConsentBanner";
import { PageviewTracker } from "@/lib/analytics-client/pageview-tracker";
import { ToastProvider } from "@/components/ui/Toast";

/**
 * Client-side providers mounted once by the root layout: signup-source cookie, analytics init, pageviews, toasts,
 * and the consent banner (shown only with ANALYTICS_CONSENT=required until the person chooses).
 * The session-resume identify is `components/analytics/IdentifySession`, mounted by authenticated layouts.
 */
export function Providers({ children }: { children: ReactNode }) {
  useEffect(() => {
    // Also writes the signup-source cookie (when consent allows) before any login can create the account.
    void startAnalytics();
  }, []);

  return (
    <ToastProvider>
      {children}
      <Suspense fallback={null}>
        <PageviewTracker />
      </Suspense>
      <ConsentBanner />
    </ToastProvider>
  );
}
