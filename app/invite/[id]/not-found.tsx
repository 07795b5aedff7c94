import type { Metadata } from "next";
import Link from "next/link";
import { LogoutButton } from "@/components/auth/LogoutButton";
import { DocumentTitle } from "@/components/ui/DocumentTitle";

export const metadata: Metadata = { title: "Invitation not found" };

export default function InvitationNotFound() {
  return (
    <main id="main">
      <DocumentTitle title="Invitation not found · Tandem" />
      <h1>Invitation not found</h1>
      <p className="muted">This invitation does not exist, or it was sent to another email address than the one you are logged in with.</p>
      <p className="row">
        <LogoutButton label="Log in with another email" returnHere />
        <Link href="/home">Go to your workspaces</Link>
      </p>
    </main>
  );
}
