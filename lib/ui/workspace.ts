import { notFound } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/lib/db";
import { requireWorkspaceMember, type Membership } from "@/lib/auth/guard";
import { HttpError } from "@/lib/http/errors";
import { requirePageUser } from "./session";

/** The signed-in member's view of /w/[slug] (cached per request, so layout and page share one lookup). */
export const pageWorkspace = cache(async (slug: string): Promise<Membership> => {
  const user = await requirePageUser(`/w/${encodeURIComponent(slug)}`);
  try {
    return await requireWorkspaceMember(await getDb(), user, slug);
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) notFound();
    throw err;
  }
});
