/**
 * Daemon-side helpers: an in-process `fetch` that dispatches daemon/runtime URLs to their route handlers (so the
 * reference daemon runs against the real handlers without a server), and Prometheus text lookups.
 */
import { POST as register } from "@/app/api/daemon/register/route";
import { POST as heartbeat } from "@/app/api/daemon/heartbeat/route";
import { POST as deregister } from "@/app/api/daemon/deregister/route";
import { POST as claim } from "@/app/api/daemon/runtimes/[id]/tasks/claim/route";
import { POST as requestResult } from "@/app/api/daemon/runtimes/[id]/requests/[requestId]/result/route";
import { POST as start } from "@/app/api/daemon/tasks/[id]/start/route";
import { POST as progress } from "@/app/api/daemon/tasks/[id]/progress/route";
import { POST as messages } from "@/app/api/daemon/tasks/[id]/messages/route";
import { POST as complete } from "@/app/api/daemon/tasks/[id]/complete/route";
import { POST as fail } from "@/app/api/daemon/tasks/[id]/fail/route";
import { POST as usage } from "@/app/api/daemon/tasks/[id]/usage/route";
import { POST as createDaemonToken } from "@/app/api/runtimes/daemon-tokens/route";
import { call, type Session } from "./api";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

const ROUTES: [RegExp, string[], Handler][] = [
  [/^\/api\/daemon\/register$/, [], register],
  [/^\/api\/daemon\/heartbeat$/, [], heartbeat],
  [/^\/api\/daemon\/deregister$/, [], deregister],
  [/^\/api\/daemon\/runtimes\/([^/]+)\/tasks\/claim$/, ["id"], claim],
  [/^\/api\/daemon\/runtimes\/([^/]+)\/requests\/([^/]+)\/result$/, ["id", "requestId"], requestResult],
  [/^\/api\/daemon\/tasks\/([^/]+)\/start$/, ["id"], start],
  [/^\/api\/daemon\/tasks\/([^/]+)\/progress$/, ["id"], progress],
  [/^\/api\/daemon\/tasks\/([^/]+)\/messages$/, ["id"], messages],
  [/^\/api\/daemon\/tasks\/([^/]+)\/complete$/, ["id"], complete],
  [/^\/api\/daemon\/tasks\/([^/]+)\/fail$/, ["id"], fail],
  [/^\/api\/daemon\/tasks\/([^/]+)\/usage$/, ["id"], usage],
];

/** A `fetch` for the daemon client that calls the route handlers in this process. */
export const inProcessFetch: typeof fetch = async (input, init) => {
  const req = new Request(input instanceof Request ? input : String(input), init);
  const path = new URL(req.url).pathname;
  for (const [re, names, handler] of ROUTES) {
    const m = re.exec(path);
    if (!m) continue;
    const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
    return handler(req, { params: Promise.resolve(params) });
  }
  return new Response(JSON.stringify({ error: "no such route" }), { status: 404 });
};

/** Creates a workspace daemon token as `session` (owner/admin). */
export async function daemonTokenFor(session: Session, workspaceId: string): Promise<string> {
  const res = await call(createDaemonToken, {
    path: "/api/runtimes/daemon-tokens",
    body: { name: "test daemon" },
    session,
    headers: { "x-workspace-id": workspaceId },
  });
  if (res.status !== 201) throw new Error(`daemon token: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

/** Headers of a daemon request. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Sum of the samples of a metric in Prometheus text whose labels include `labels` (0 when absent). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[3] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[4]);
  }
  return sum;
}
