import type { Metadata } from "next";
import Link from "next/link";
import { LogoutButton } from "@/components/auth/LogoutButton";
import { getDb } from "@/lib/db";
import { listAccessTokens } from "@/lib/auth/tokens";
import { requirePageUser } from "@/lib/ui/session";
import { AnalyticsConsentPanel } from "@/components/analytics/AnalyticsConsentPanel";
import { IdentifySession } from "@/components/analytics/IdentifySession";
import { TokensPanel } from "@/components/auth/TokensPanel";
import { DeleteAccountForm } from "@/components/auth/DeleteAccountForm";
import { FeedbackButton } from "@/components/feedback/FeedbackButton";
import { IntegrationsPanel } from "./IntegrationsPanel";

export const metadata: Metadata = { title: "Account settings" };

export default async function SettingsPage() {
  const user = await requirePageUser("/settings");
  const tokens = await listAccessTokens(await getDb(), user.id);
  return (
    <main id="main">
      <IdentifySession user={{ id: user.id, email: user.email, name: user.name }} />
      <div className="row" style={{ justifyContent: "space-between" }}>
        <Link href="/home">← Back</Link>
        <span className="row">
          <FeedbackButton />
          <LogoutButton />
        </span>
      </div>
      <h1>Account settings</h1>
      <p>
        Signed in as <strong>{user.email}</strong>
      </p>
      <TokensPanel initial={tokens} />
      <AnalyticsConsentPanel initial={user.analyticsConsent === "granted" || user.analyticsConsent === "denied" ? user.analyticsConsent : null} />
      <IntegrationsPanel user={user} />
      <DeleteAccountForm email={user.email} />
    </main>
  );
}
