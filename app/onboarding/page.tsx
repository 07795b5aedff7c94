import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/db";
import { questionnaireSchema } from "@/lib/onboarding";
import { homePathFor, requirePageUser } from "@/lib/ui/session";
import { listWorkspaces } from "@/lib/workspaces";
import { IdentifySession } from "@/components/analytics/IdentifySession";
import { FeedbackButton } from "@/components/feedback/FeedbackButton";
import { OnboardingFlow } from "./OnboardingFlow";

export const metadata: Metadata = { title: "Welcome · Tandem" };

/** New users land here after signup; onboarded users go straight to their workspace. */
export default async function OnboardingPage() {
  const user = await requirePageUser();
  if (user.onboardedAt) redirect(await homePathFor(user));
  const workspaces = await listWorkspaces(await getDb(), user.id);
  // Only the answers persist; the flow itself always starts at Welcome, prefilled with them.
  const saved = questionnaireSchema.safeParse(user.onboardingQuestionnaire);
  return (
    <main id="main">
      <IdentifySession user={{ id: user.id, email: user.email, name: user.name }} />
      <div className="row" style={{ justifyContent: "flex-end" }}>
        <FeedbackButton />
      </div>
      <OnboardingFlow
        email={user.email}
        initialAnswers={saved.success ? saved.data : {}}
        workspaces={workspaces.map((w) => ({ id: w.id, name: w.name, slug: w.slug }))}
      />
    </main>
  );
}
