import { Suspense } from "react";
import { getDb } from "@/lib/db";
import { requireWorkspaceMember } from "@/lib/auth/guard";
import type { User } from "@/lib/auth/users";
import { fleetConfigured } from "@/lib/cloud/fleet";
import { githubConfigured, listInstallations } from "@/lib/github/installations";
import { listWorkspaces } from "@/lib/workspaces";
import { BillingBalance, ConnectGithubButton, GithubSetupNotice, RemoveInstallationButton } from "./IntegrationsControls";

/**
 * Integrations for owners/admins: GitHub App installations per workspace (connect, remove) and the cloud billing
 * balance when a fleet is configured. Members see nothing here.
 */
export async function IntegrationsPanel({ user }: { user: User }) {
  const db = await getDb();
  const managed = (await listWorkspaces(db, user.id)).filter((w) => w.role === "owner" || w.role === "admin");
  if (managed.length === 0) return null;
  const github = githubConfigured();
  const rows = await Promise.all(
    managed.map(async (w) => ({ w, list: await listInstallations(db, await requireWorkspaceMember(db, user, w.id)) })),
  );
  return (
    <section className="panel" aria-labelledby="integrations">
      <h2 id="integrations">Integrations</h2>
      <Suspense fallback={null}>
        <GithubSetupNotice />
      </Suspense>
      <h3>GitHub</h3>
      {!github && <p className="muted">The GitHub App is not configured on this server (GITHUB_WEBHOOK_SECRET and GITHUB_APP_SLUG).</p>}
      {rows.map(({ w, list }) => (
        <div key={w.id}>
          <h4>{w.name}</h4>
          {list.installations.length === 0 ? (
            <p className="muted">No GitHub installation.</p>
          ) : (
            <ul aria-label={`GitHub installations of ${w.name}`}>
              {list.installations.map((i) => (
                <li key={i.id}>
                  {i.account_login} <span className="muted">({i.account_type})</span>{" "}
                  <RemoveInstallationButton workspaceId={w.id} installationId={i.id} label={i.account_login} />
                </li>
              ))}
            </ul>
          )}
          {github && <ConnectGithubButton workspaceId={w.id} workspaceName={w.name} />}
        </div>
      ))}
      {fleetConfigured() && (
        <>
          <h3>Cloud billing</h3>
          <BillingBalance />
        </>
      )}
    </section>
  );
}
