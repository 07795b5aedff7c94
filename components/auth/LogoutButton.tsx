"use client";

import { resetAnalytics } from "@/lib/analytics-client";
import { api } from "@/lib/ui/api";

export function LogoutButton() {
  async function logout() {
    await api("/api/auth/logout", { method: "POST" }).catch(() => {});
    resetAnalytics();
    window.location.assign("/login");
  }
  return (
    <button type="button" className="secondary" onClick={logout}>
      Log out
    </button>
  );
}
