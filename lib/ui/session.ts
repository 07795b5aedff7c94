import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/db";
import { SESSION_COOKIE } from "@/lib/auth/sessions";
import { resolveSession } from "@/lib/auth/sessions";
import { listWorkspaces } from "@/lib/workspaces";
import type { User } from "@/lib/auth/users";
import { afterLoginPath, loginPath } from "./return-path";

/** The signed-in user for a server component, or null. Reading cookies makes the page dynamic (never prerendered). */
export async function currentUser(): Promise<User | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  const session = await resolveSession(await getDb(), token);
  return session?.user ?? null;
}

/** The signed-in user, else a redirect to /login that comes back to `returnTo` (a same-origin path) afterwards. */
export async function requirePageUser(returnTo?: string): Promise<User> {
  const user = await currentUser();
  if (!user) redirect(loginPath(returnTo));
  return user;
}

/**
 * Where a signed-in user belongs (`afterLoginPath`): an invitation they asked for, onboarding until onboarded, then
 * `next` or their first workspace (or the switcher).
 */
export async function homePathFor(user: User, next?: string | null): Promise<string> {
  const target = afterLoginPath(user.onboardedAt !== null, next, "");
  if (target) return target;
  const ws = await listWorkspaces(await getDb(), user.id);
  return ws[0] ? `/w/${ws[0].slug}` : "/workspaces";
}
