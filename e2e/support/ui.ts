/**
 * Helpers for the UI specs: same-origin API calls from a logged-in page, and a stand-in daemon that speaks the real
 * daemon API (register, claim, start, complete) with a real daemon token, so a spec can drive a task end to end
 * without spawning the reference daemon.
 */
import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { App } from "./app";

export type ApiInit = { method?: string; body?: unknown; workspaceId?: string };

/** A JSON API call from inside `page` (its session cookie, its origin). */
export function pageApi<T = unknown>(page: Page, url: string, init: ApiInit = {}): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ url, init }) => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (init.workspaceId) headers["x-workspace-id"] = init.workspaceId;
      const res = await fetch(url, { method: init.method ?? (init.body === undefined ? "GET" : "POST"), headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    { url, init },
  ) as Promise<{ status: number; body: T }>;
}

/** The workspace the page is in (`/w/<slug>/...`). */
export async function currentWorkspace(page: Page): Promise<{ id: string; slug: string; base: string }> {
  const slug = new URL(page.url()).pathname.split("/")[2]!;
  const ws = await pageApi<{ id: string }>(page, `/api/workspaces/${slug}`);
  expect(ws.status).toBe(200);
  return { id: ws.body.id, slug, base: `/w/${slug}` };
}

export type FakeDaemon = {
  token: string;
  runtimeId: string;
  call: <T = unknown>(path: string, body?: unknown) => Promise<{ status: number; body: T }>;
  /** Claims, starts and completes the next task of the runtime with `output`; returns the task id (fails if none). */
  runNext: (output: string) => Promise<string>;
};

/** Registers a runtime "Echo" (provider echo) with `token` (a daemon token of the workspace). */
export async function fakeDaemon(app: App, workspaceId: string, token: string, name = "Echo"): Promise<FakeDaemon> {
  const call = async <T>(path: string, body?: unknown) => {
    const res = await fetch(`${app.baseUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body ?? {}),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as T };
  };
  const reg = await call<{ runtimes: { id: string }[] }>("/api/daemon/register", {
    workspace_id: workspaceId,
    daemon_id: `e2e-${name}`,
    device_name: "e2e",
    runtimes: [{ name, provider: "echo", status: "online" }],
  });
  expect(reg.status).toBe(200);
  const runtimeId = reg.body.runtimes[0]!.id;
  return {
    token,
    runtimeId,
    call,
    runNext: async (output) => {
      const claimed = await call<{ task: { id: string } }>(`/api/daemon/runtimes/${runtimeId}/tasks/claim`);
      expect(claimed.status).toBe(200);
      const id = claimed.body.task.id;
      expect((await call(`/api/daemon/tasks/${id}/start`)).status).toBe(200);
      expect((await call(`/api/daemon/tasks/${id}/complete`, { result: { output } })).status).toBe(200);
      return id;
    },
  };
}

/** Mints a daemon token through the API as the page's (owner/admin) user. */
export async function daemonToken(page: Page, workspaceId: string): Promise<string> {
  const res = await pageApi<{ token: string }>(page, "/api/runtimes/daemon-tokens", { workspaceId, body: { name: "e2e" } });
  expect(res.status).toBe(201);
  return res.body.token;
}
