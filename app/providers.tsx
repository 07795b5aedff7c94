"use client";

import { Suspense, useEffect, type ReactNode } from "react";
import { captureSignupSource, startAnalytics } from "@/lib/analytics-client";
import { PageviewTracker } from "@/lib/analytics-client/pageview-tracker";
import { ToastProvider } from "@/components/ui/Toast";

/**
 * Client-side providers mounted once by the root layout: signup-source cookie, analytics init, pageviews, toasts.
 * The session-resume identify is `components/analytics/IdentifySession`, mounted by authenticated layouts.
 */
export function Providers({ children }: { children: ReactNode }) {
  useEffect(() => {
    // First, so the cookie exists before any login can create the account.
    captureSignupSource();
    void startAnalytics();
  }, []);

  return (
    <ToastProvider>
      {children}
      <Suspense fallback={null}>
        <PageviewTracker />
      </Suspense>
    </ToastProvider>
  );
}
