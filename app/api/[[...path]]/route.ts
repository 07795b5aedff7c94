import { notFound, route } from "@/lib/http";

// Every /api path no route file claims lands here (Next prefers any more specific route), for every method: a JSON
// 404 like the rest of the API instead of Next's HTML page.
const handler = route("/api/[[...path]]", () => {
  throw notFound("no such API route");
});

export const GET = handler;
export const HEAD = handler;
export const POST = handler;
export const PUT = handler;
export const PATCH = handler;
export const DELETE = handler;
export const OPTIONS = handler;
