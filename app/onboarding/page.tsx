import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/db";
import { questionnaireSchema } from "@/lib/onboarding";
import { homePathFor, requirePageUser } from "@/lib/ui/session";
import { safeReturnPath } from "@/lib/ui/return-path";
import { listWorkspaces } from "@/lib/workspaces";
import { IdentifySession } from "@/components/analytics/IdentifySession";
import { FeedbackButton } from "@/components/feedback/FeedbackButton";
import { LogoutButton } from "@/components/auth/LogoutButton";
import { OnboardingFlow } from "./OnboardingFlow";

export const metadata: Metadata = { title: "Welcome" };

type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? null;

/** New users land here after signup; onboarded users go straight to their workspace. */
export default async function OnboardingPage({ searchParams }: { searchParams: Search }) {
  const sp = await searchParams;
  const next = safeReturnPath(one(sp.next));
  const user = await requirePageUser(next ? `/onboarding?next=${encodeURIComponent(next)}` : "/onboarding");
  if (user.onboardedAt) redirect(await homePathFor(user, next));
  const workspaces = await listWorkspaces(await getDb(), user.id);
  // The answers persist on the user; the step (and chosen workspace) live in the URL, so a reload resumes there.
  const saved = questionnaireSchema.safeParse(user.onboardingQuestionnaire);
  return (
    <main id="main">
      <IdentifySession user={{ id: user.id, email: user.email, name: user.name }} />
      <div className="row" style={{ justifyContent: "flex-end" }}>
        <FeedbackButton />
        <LogoutButton />
      </div>
      <OnboardingFlow
        email={user.email}
        initialAnswers={saved.success ? saved.data : {}}
        workspaces={workspaces.map((w) => ({ id: w.id, name: w.name, slug: w.slug }))}
        initialStep={one(sp.step)}
        initialWorkspaceId={one(sp.workspace)}
        next={next}
      />
    </main>
  );
}
