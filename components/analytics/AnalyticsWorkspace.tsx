"use client";

import { useEffect } from "react";
import { setAnalyticsWorkspace } from "@/lib/analytics-client";

/** Group analytics (POSTHOG_GROUPS): the browser's events belong to the workspace the person is in. */
export function AnalyticsWorkspace({ id }: { id: string }) {
  useEffect(() => {
    setAnalyticsWorkspace(id);
    return () => setAnalyticsWorkspace(null);
  }, [id]);
  return null;
}
