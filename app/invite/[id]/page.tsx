import { getDb } from "@/lib/db";
import { isUuid } from "@/lib/auth/guard";
import { HttpError } from "@/lib/http/errors";
import { getInvitationForUser, invitationExists } from "@/lib/workspaces";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { currentUser } from "@/lib/ui/session";
import { loginPath } from "@/lib/ui/return-path";
import { AcceptInvitationButton } from "@/components/workspaces/AcceptInvitationButton";

export const metadata: Metadata = { title: "Invitation" };

export default async function InvitePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await currentUser();
  if (!user) {
    if (!(await invitationExists(await getDb(), id))) notFound();
    return (
      <main id="main">
        <h1>You have been invited to Tandem</h1>
        <p>
          <a className="button" href={loginPath(`/invite/${encodeURIComponent(id)}`)}>
            Log in with the invited email to accept
          </a>
        </p>
      </main>
    );
  }
  let invitation: Awaited<ReturnType<typeof getInvitationForUser>> | null = null;
  try {
    if (isUuid(id)) invitation = await getInvitationForUser(await getDb(), user, id);
  } catch (err) {
    if (!(err instanceof HttpError && err.status === 404)) throw err;
  }
  if (!invitation) notFound(); // a 404 with its own message (not-found.tsx)
  return (
    <main id="main">
      <h1>Join {invitation.workspace_name}</h1>
      <p>
        You were invited as <strong>{invitation.role}</strong>.
      </p>
      {invitation.status === "accepted" ? (
        <a className="button" href={`/w/${invitation.workspace_slug}`}>
          Open {invitation.workspace_name}
        </a>
      ) : (
        <AcceptInvitationButton id={invitation.id} />
      )}
    </main>
  );
}
