import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/lib/db";
import { requireWorkspaceMember, type Membership } from "@/lib/auth/guard";
import { HttpError } from "@/lib/http/errors";
import { REQUEST_PATH_HEADER } from "./return-path";
import { requirePageUser } from "./session";

/** The signed-in member's view of /w/[slug] (cached per request, so layout and page share one lookup). */
export const pageWorkspace = cache(async (slug: string): Promise<Membership> => {
  // Signed out, log in and come back to the page asked for (an issue, say), not just to the workspace.
  const base = `/w/${encodeURIComponent(slug)}`;
  const asked = (await headers()).get(REQUEST_PATH_HEADER);
  const user = await requirePageUser(asked === base || asked?.startsWith(`${base}/`) || asked?.startsWith(`${base}?`) ? asked : base);
  try {
    return await requireWorkspaceMember(await getDb(), user, slug);
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) notFound();
    throw err;
  }
});
