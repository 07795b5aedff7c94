import { describe, expect, it } from "vitest";
import { daemonConfigSchema } from "./config";
import { Daemon } from "./daemon";

/** A fake server behind `fetch`: registration, claims that wait for `release`, and nothing else to do. */
function fakeServer() {
  const claims: string[] = [];
  let queued = false;
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const json = (status: number, body?: unknown) => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const fetchFn = (async (input: URL | RequestInfo) => {
    const path = new URL(String(input)).pathname;
    if (path === "/api/daemon/register") return json(200, { runtimes: [{ id: "rt-1", name: "Echo", provider: "echo", status: "online" }] });
    if (path === "/api/daemon/runtimes/rt-1/tasks/claim") {
      const found = queued; // what the server's query saw when the claim arrived
      queued = false;
      claims.push(found ? "task" : "none");
      await gate; // the start-up poll's claim is still being answered when the task arrives
      return found ? json(200, { task: { id: "t-1", prompt: "hi", agent: null, issue: null } }) : json(204);
    }
    return json(200, {});
  }) as typeof fetch;
  return { fetchFn, claims, enqueue: () => (queued = true), release: () => release() };
}

describe("Daemon.pollOnce", () => {
  it("a poll asked for while one runs runs again after it, so a task that arrived meanwhile is claimed", async () => {
    const server = fakeServer();
    const config = daemonConfigSchema.parse({
      server_url: "http://fleet.test",
      token: "tdd_test",
      workspace_id: "00000000-0000-4000-8000-000000000001",
      daemon_id: "d-1",
      heartbeat_ms: 60_000,
      poll_ms: 60_000,
      runtimes: [{ name: "Echo", provider: "echo" }],
    });
    const daemon = new Daemon(config, { fetch: server.fetchFn, log: () => {} });
    await daemon.start(); // its first poll is now waiting on the claim
    server.enqueue();
    const asked = daemon.pollOnce();
    server.release();
    await asked;
    await daemon.idle();
    expect(server.claims).toEqual(["none", "task"]);
    await daemon.stop(100);
  });
});
