"use client";

import { resetAnalytics } from "@/lib/analytics-client";
import { api } from "@/lib/ui/api";
import { loginPath } from "@/lib/ui/return-path";

/**
 * Ends the session and goes to the login page. `returnHere`: back to this page after logging in again, for "this
 * is meant for another account" (an invitation sent to another address).
 */
export function LogoutButton({ label = "Log out", returnHere = false }: { label?: string; returnHere?: boolean }) {
  async function logout() {
    await api("/api/auth/logout", { method: "POST" }).catch(() => {});
    resetAnalytics();
    window.location.assign(returnHere ? loginPath(window.location.pathname + window.location.search) : "/login");
  }
  return (
    <button type="button" className="secondary" onClick={logout}>
      {label}
    </button>
  );
}
