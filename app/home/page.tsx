import { redirect } from "next/navigation";
import { homePathFor, requirePageUser } from "@/lib/ui/session";

/** Sends a signed-in user where they belong (onboarding, or their workspace). */
export default async function Home() {
  const user = await requirePageUser("/home");
  redirect(await homePathFor(user));
}
