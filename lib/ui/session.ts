import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/db";
import { SESSION_COOKIE } from "@/lib/auth/sessions";
import { resolveSession } from "@/lib/auth/sessions";
import { listWorkspaces } from "@/lib/workspaces";
import type { User } from "@/lib/auth/users";

/** The signed-in user for a server component, or null. Reading cookies makes the page dynamic (never prerendered). */
export async function currentUser(): Promise<User | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  const session = await resolveSession(await getDb(), token);
  return session?.user ?? null;
}

export async function requirePageUser(): Promise<User> {
  const user = await currentUser();
  if (!user) redirect("/login");
  return user;
}

/** Where a signed-in user belongs: onboarding until onboarded, then their first workspace (or the switcher). */
export async function homePathFor(user: User): Promise<string> {
  if (!user.onboardedAt) return "/onboarding";
  const ws = await listWorkspaces(await getDb(), user.id);
  return ws[0] ? `/w/${ws[0].slug}` : "/workspaces";
}
