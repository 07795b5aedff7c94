"use client";

import { useEffect } from "react";
import { identifyUser } from "@/lib/analytics-client";

/**
 * The "session resume" identify: mount it where the server already resolved the signed-in user (authenticated
 * layouts), so a returning user is identified on every visit, not only right after logging in.
 */
export function IdentifySession({ user }: { user: { id: string; email: string; name: string } }) {
  const { id, email, name } = user;
  useEffect(() => {
    identifyUser({ id, email, name });
  }, [id, email, name]);
  return null;
}
