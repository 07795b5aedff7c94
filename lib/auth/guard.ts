import { and, eq } from "drizzle-orm";
import { config } from "@/lib/config";
import { getDb, type Db } from "@/lib/db";
import { members, workspaces } from "@/lib/db/schema";
import { badRequest, forbidden, notFound, unauthorized, unavailable } from "@/lib/http/errors";
import { CLOUD_NODE_TOKEN_PREFIX, CloudNodeTokenError, verifyCloudNodeToken } from "@/lib/cloud/node-tokens";
import { readCookie } from "@/lib/http/request";
import { isUuid } from "@/lib/http/text";
import { SLUG_PATTERN } from "@/lib/workspaces/names";
import { resolveSession, SESSION_COOKIE } from "./sessions";
import { resolveAccessToken } from "./tokens";
import type { User } from "./users";

/**
 * Who is calling: a user, through a session cookie, a personal access token, or a cloud-node token (`tcn_`, verified
 * by the fleet; such a caller acts for its owner but is not a human: `actorSource` is `cloud_pat`).
 */
export type Principal = { user: User; via: "session" | "token" | "cloud_node"; sessionId?: string; tokenId?: string };

/** The actor source we stamp (never read from the client's `X-Actor-Source`). */
export const actorSourceOf = (p: Principal): "human" | "cloud_pat" => (p.via === "cloud_node" ? "cloud_pat" : "human");

export type Role = "owner" | "admin" | "member";
export type Workspace = typeof workspaces.$inferSelect;
export type Membership = { workspace: Workspace; role: Role; user: User };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
export { isUuid };

/** The origin this app is served from: APP_URL, else the request's Host (forwarded headers only behind a trusted proxy). */
export function expectedOrigin(req: Request): string {
  const c = config();
  if (c.APP_URL) return new URL(c.APP_URL).origin;
  const host = (c.TRUST_PROXY && req.headers.get("x-forwarded-host")) || req.headers.get("host") || new URL(req.url).host;
  const proto = (c.TRUST_PROXY && req.headers.get("x-forwarded-proto")) || new URL(req.url).protocol.replace(":", "");
  return `${proto}://${host}`;
}

/** CSRF: a cookie-authenticated state change must come from our own origin. */
export function assertSameOrigin(req: Request): void {
  if (!req.headers.get("origin")) throw forbidden("missing Origin header");
  refuseForeignOrigin(req);
}

/**
 * Login CSRF: a sign-in request that names an origin must name ours, or a page elsewhere could post a form (a
 * `text/plain` body needs no preflight) that signs the visitor's browser into the attacker's account. Callers that
 * send no Origin (a CLI, a script) are not browsers acting for a page, and pass.
 */
export function refuseForeignOrigin(req: Request): void {
  const origin = req.headers.get("origin");
  if (origin !== null && origin !== expectedOrigin(req)) throw forbidden("cross-origin request refused");
}

/** Authenticates the request or throws 401 (403 for a cross-origin cookie POST). */
export async function requireUser(req: Request, db?: Db): Promise<Principal> {
  const principal = await optionalUser(req, db);
  if (!principal) throw unauthorized();
  return principal;
}

export async function optionalUser(req: Request, db?: Db): Promise<Principal | null> {
  const database = db ?? (await getDb());
  const auth = req.headers.get("authorization");
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    // Cloud-node tokens are checked before personal tokens and never fall through to them.
    if (m?.[1]!.startsWith(CLOUD_NODE_TOKEN_PREFIX)) return cloudNodePrincipal(database, m[1]!);
    const found = m ? await resolveAccessToken(database, m[1]!) : null;
    if (!found) throw unauthorized("invalid or expired token");
    return { user: found.user, via: "token", tokenId: found.tokenId };
  }
  const cookie = readCookie(req, SESSION_COOKIE);
  if (!cookie) return null;
  const session = await resolveSession(database, cookie);
  if (!session) return null;
  if (!SAFE_METHODS.has(req.method)) assertSameOrigin(req);
  return { user: session.user, via: "session", sessionId: session.sessionId };
}

async function cloudNodePrincipal(db: Db, token: string): Promise<Principal> {
  try {
    const { user } = await verifyCloudNodeToken(db, token);
    return { user, via: "cloud_node" };
  } catch (err) {
    if (err instanceof CloudNodeTokenError) {
      console.warn(`[auth] cloud node token refused: ${err.kind} (${err.reason})`);
      if (err.kind === "unavailable") throw unavailable("cloud pat verifier unavailable");
      throw unauthorized("invalid token");
    }
    throw err;
  }
}

/** A workspace the user belongs to, by id or slug; anything else (absent or not a member) is the same 404. */
export async function requireWorkspaceMember(db: Db, user: User, idOrSlug: string): Promise<Membership> {
  const uuid = isUuid(idOrSlug);
  // A string no slug can have (NUL, 10 KB, unicode — from a page path, a header or the query) is not looked up.
  if (!uuid && !SLUG_PATTERN.test(idOrSlug.toLowerCase())) throw notFound("workspace not found");
  const where = uuid ? eq(workspaces.id, idOrSlug) : eq(workspaces.slug, idOrSlug.toLowerCase());
  const [row] = await db
    .select({ workspace: workspaces, role: members.role })
    .from(workspaces)
    .innerJoin(members, and(eq(members.workspaceId, workspaces.id), eq(members.userId, user.id)))
    .where(where);
  if (!row) throw notFound("workspace not found");
  return { workspace: row.workspace, role: row.role as Role, user };
}

/**
 * The workspace of a workspace-scoped route: `X-Workspace-ID` / `X-Workspace-Slug` header or
 * `workspace_id` / `workspace_slug` query parameter (API.md "Workspace scope").
 */
export async function requireWorkspace(req: Request, principal: Principal, db?: Db): Promise<Membership> {
  const url = new URL(req.url);
  const id = req.headers.get("x-workspace-id") ?? url.searchParams.get("workspace_id");
  const slug = req.headers.get("x-workspace-slug") ?? url.searchParams.get("workspace_slug");
  const database = db ?? (await getDb());
  if (id) {
    if (!isUuid(id)) throw badRequest("workspace_id must be a UUID");
    return requireWorkspaceMember(database, principal.user, id);
  }
  if (slug) return requireWorkspaceMember(database, principal.user, slug);
  throw badRequest("workspace_id is required");
}

/** A workspace-scoped route's caller, workspace and database in one step: `const { db, m } = await workspaceRequest(req)`. */
export async function workspaceRequest(req: Request): Promise<{ db: Db; m: Membership }> {
  const db = await getDb();
  const m = await requireWorkspace(req, await requireUser(req, db), db);
  return { db, m };
}

/** Machine tokens (cloud-node `tcn_`, workspace daemon `tdd_`): never a human, whatever headers they send. */
const MACHINE_TOKEN = /^Bearer\s+(tcn_|tdd_)/i;

/**
 * A human caller (session or personal token) for routes that act on a person's account, e.g. billing
 * (inventory §5.1 RequireHumanActor): machine tokens get 403. Client-sent `X-Actor-Source` is never read.
 */
export async function requireHumanUser(req: Request, db?: Db): Promise<Principal> {
  const refuse = () => forbidden("this endpoint is only available to human actors");
  if (MACHINE_TOKEN.test(req.headers.get("authorization") ?? "")) throw refuse();
  const principal = await requireUser(req, db);
  if (actorSourceOf(principal) !== "human") throw refuse();
  return principal;
}

/** 403 unless the member has one of the roles. */
export function requireWorkspaceRole(m: Membership, roles: readonly Role[]): Membership {
  if (!roles.includes(m.role)) throw forbidden(`requires role ${roles.join(" or ")}`);
  return m;
}
