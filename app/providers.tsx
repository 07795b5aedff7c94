"use client";

import { Suspense, useEffect, type ReactNode } from "react";
import { captureSignupSource, identifyUser, startAnalytics } from "@/lib/analytics-client";
import { PageviewTracker } from "@/lib/analytics-client/pageview-tracker";

export type SessionUser = { id: string; email: string; name: string };

/**
 * Client-side providers mounted once by the root layout: signup-source cookie, analytics init, pageviews.
 * `user` is the session resolved on the server, if any: identifying it here is the "session resume" identify.
 */
export function Providers({ children, user }: { children: ReactNode; user?: SessionUser | null }) {
  useEffect(() => {
    // First, so the cookie exists before any login can create the account.
    captureSignupSource();
    void startAnalytics();
  }, []);

  const userId = user?.id;
  const email = user?.email;
  const name = user?.name;
  useEffect(() => {
    if (userId) identifyUser({ id: userId, email, name });
  }, [userId, email, name]);

  return (
    <>
      {children}
      <Suspense fallback={null}>
        <PageviewTracker />
      </Suspense>
    </>
  );
}
