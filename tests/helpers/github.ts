/**
 * A GitHub stand-in for tests: deliveries signed with the test secret (as GitHub signs them), and an installation
 * connected through the real connect URL + setup callback.
 */
import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";
import { POST as githubPOST } from "@/app/api/webhooks/github/route";
import { GET as connectGET } from "@/app/api/workspaces/[id]/github/connect/route";
import { GET as setupGET } from "@/app/api/github/setup/route";
import { call, type Session } from "./api";

export const GITHUB_SECRET = "github-webhook-secret-for-tests";

export async function sendGithub(event: string, payload: unknown, opts: { deliveryId?: string; signature?: string | null; secret?: string } = {}) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const signature = opts.signature === undefined ? await sign(opts.secret ?? GITHUB_SECRET, body) : opts.signature;
  return call(githubPOST, {
    path: "/api/webhooks/github",
    rawBody: body,
    noOrigin: true,
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": opts.deliveryId ?? randomUUID(),
      ...(signature === null ? {} : { "x-hub-signature-256": signature }),
    },
  });
}

/**
 * Connects installation `installationId` to the workspace as GitHub does: its signed `installation created` webhook,
 * then connect → GitHub → setup callback.
 */
export async function connectInstallation(owner: Session, workspaceId: string, installationId: number) {
  await sendGithub("installation", { action: "created", installation: { id: installationId, account: { login: "test-org", type: "Organization" } } });
  const connect = await call(connectGET, { session: owner, params: { id: workspaceId } });
  if (!connect.body?.configured) throw new Error(`connect: ${connect.status} ${JSON.stringify(connect.body)}`);
  const state = new URL(connect.body.url).searchParams.get("state")!;
  const res = await call(setupGET, { path: `/api/github/setup?installation_id=${installationId}&state=${encodeURIComponent(state)}`, session: owner });
  if (!res.headers.get("location")?.includes("github_connected=1")) throw new Error(`setup: ${res.headers.get("location")}`);
  return res;
}

let prCounter = 1000;

/** A `pull_request` payload; `pr` fields override the defaults. */
export function prPayload(installationId: number, action: string, pr: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const number = (pr.number as number) ?? ++prCounter;
  return {
    action,
    number,
    installation: { id: installationId },
    repository: { name: "app", owner: { login: "acme" } },
    pull_request: {
      number,
      html_url: `https://github.com/acme/app/pull/${number}`,
      title: "A change",
      body: "",
      state: "open",
      draft: false,
      merged: false,
      merged_at: null,
      closed_at: null,
      created_at: "2026-01-01T10:00:00Z",
      updated_at: "2026-01-01T10:00:00Z",
      head: { ref: "feature", sha: "sha-1" },
      user: { login: "octocat", avatar_url: "https://avatars.example/octocat" },
      additions: 10,
      deletions: 2,
      changed_files: 3,
      ...pr,
    },
    ...extra,
  };
}
