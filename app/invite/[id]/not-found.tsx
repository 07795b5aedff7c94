import type { Metadata } from "next";

export const metadata: Metadata = { title: "Invitation not found" };

export default function InvitationNotFound() {
  return (
    <main id="main">
      <h1>Invitation not found</h1>
      <p className="muted">This invitation does not exist, or it was sent to another email address than the one you are logged in with.</p>
    </main>
  );
}
