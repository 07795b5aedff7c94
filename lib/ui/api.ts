import { analyticsTracingHeaders } from "@/lib/analytics-client";

/**
 * The browser's one way to call our API: same-origin JSON, `X-Client-Platform: web` (so platform labels are real),
 * and errors surfaced as `ApiError` with the server's message.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T = unknown>(
  path: string,
  init: { method?: string; body?: unknown; workspaceId?: string; signal?: AbortSignal } = {},
): Promise<T> {
  // The analytics ids ride along (as posthog-js's tracing headers would) so server events of an anonymous visitor can
  // be stitched to the browser's person; the server never uses them for anything else.
  const headers: Record<string, string> = { "X-Client-Platform": "web", ...analyticsTracingHeaders() };
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  if (init.workspaceId) headers["X-Workspace-ID"] = init.workspaceId;
  const res = await fetch(path, {
    method: init.method ?? (init.body !== undefined ? "POST" : "GET"),
    headers,
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    credentials: "same-origin",
    signal: init.signal,
  });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, (data as { error?: string } | null)?.error ?? `request failed (${res.status})`);
  return data as T;
}
