import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { POST as submit } from "@/app/api/feedback/route";
import { getDb } from "@/lib/db";
import { feedback } from "@/lib/db/schema";
import { call, signIn, type Session } from "./helpers/api";
import { captureEvents, metricValue } from "./helpers/telemetry";
import { ownerWithWorkspace } from "./helpers/workspace";

// Every test signs up fresh users from the same (unknown) client IP.
process.env.RATE_LIMIT_SEND_CODE_IP = "100000";

const sink = captureEvents();

const WEB = { "x-client-platform": "web", "x-client-version": "1.4.2", "x-client-os": "macos", "user-agent": "Mozilla/5.0 test" };

const send = (session: Session, body: unknown, headers: Record<string, string> = WEB) =>
  call(submit, { path: "/api/feedback", session, body, headers });

async function rowsOf(userId: string) {
  return (await getDb()).select().from(feedback).where(eq(feedback.userId, userId));
}

async function freshUser() {
  const s = await signIn();
  sink.clear();
  return s;
}

describe("POST /api/feedback", () => {
  it("stores the message with header metadata and emits feedback_submitted without the text", async () => {
    const { owner, workspace } = await ownerWithWorkspace();
    sink.clear();
    const before = await metricValue("tandem_feedback_submitted_total", { kind: "bug", platform: "web" });
    const res = await send(owner, { message: "  The board crashes ![shot](http://a/b.png)  ", kind: "bug", url: "/w/acme", workspace_id: workspace.id });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), created_at: expect.any(String) });

    const [row] = await rowsOf(owner.user.id);
    expect(row).toMatchObject({ id: res.body.id, message: "The board crashes ![shot](http://a/b.png)", kind: "bug", workspaceId: workspace.id });
    expect(row!.metadata).toEqual({ url: "/w/acme", platform: "web", version: "1.4.2", os: "macos", user_agent: "Mozilla/5.0 test" });

    const [ev] = sink.named("feedback_submitted");
    expect(ev!.distinct_id).toBe(owner.user.id);
    expect(ev!.properties).toMatchObject({ kind: "bug", message_length_bucket: "0-100", has_images: true, platform: "web", app_version: "1.4.2", workspace_id: workspace.id });
    expect(JSON.stringify(ev)).not.toContain("crashes");
    expect(await metricValue("tandem_feedback_submitted_total", { kind: "bug", platform: "web" })).toBe(before + 1);
  });

  it("defaults kind to general; plain text has no images; long messages get their bucket", async () => {
    const s = await freshUser();
    expect((await send(s, { message: "x".repeat(600) })).status).toBe(201);
    const [ev] = sink.named("feedback_submitted");
    expect(ev!.properties).toMatchObject({ kind: "general", has_images: false, message_length_bucket: "500-2000" });
    expect((await rowsOf(s.user.id))[0]!.kind).toBe("general");
  });

  it.each(["feature", "praise"])("accepts kind %s", async (kind) => {
    const s = await freshUser();
    expect((await send(s, { message: "hi", kind })).status).toBe(201);
    expect(sink.named("feedback_submitted")[0]!.properties.kind).toBe(kind);
  });

  it.each([
    [{}, "message is required"],
    [{ message: "   " }, "message is required"],
    [{ message: 123 }, "message: message must be a string"],
    [{ message: "é".repeat(5001) }, "message too long"],
    [{ message: "hi", kind: "rant" }, "kind must be one of"],
    [{ message: "hi", workspace_id: "nope" }, "workspace_id must be a UUID"],
    [{ message: "hi", url: "u".repeat(2049) }, "url is too long"],
  ])("rejects %j with 400, storing nothing and emitting nothing", async (body, message) => {
    const s = await freshUser();
    const res = await send(s, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toContain(message);
    expect(await rowsOf(s.user.id)).toHaveLength(0);
    expect(sink.messages).toHaveLength(0);
  });

  it("accepts a message of exactly 10000 bytes", async () => {
    const s = await freshUser();
    expect((await send(s, { message: "é".repeat(5000) })).status).toBe(201);
  });

  it("refuses another workspace's id with 404 and a body over 64 KiB with 413", async () => {
    const s = await freshUser();
    const { workspace } = await ownerWithWorkspace();
    sink.clear();
    expect((await send(s, { message: "hi", workspace_id: workspace.id })).status).toBe(404);
    expect((await send(s, { message: "hi", padding: "x".repeat(65 * 1024) })).status).toBe(413);
    expect(await rowsOf(s.user.id)).toHaveLength(0);
    expect(sink.messages).toHaveLength(0);
  });

  it("needs a signed-in user", async () => {
    expect((await call(submit, { body: { message: "hi" } })).status).toBe(401);
  });

  it("allows 10 per user per hour; the 11th is a 429 that stores and emits nothing", async () => {
    const s = await freshUser();
    for (let i = 0; i < 10; i++) expect((await send(s, { message: `note ${i}` })).status).toBe(201);
    const before = await metricValue("tandem_feedback_submitted_total", { kind: "general", platform: "web" });
    sink.clear();
    const limited = await send(s, { message: "one too many" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await rowsOf(s.user.id)).toHaveLength(10);
    expect(sink.messages).toHaveLength(0);
    expect(await metricValue("tandem_feedback_submitted_total", { kind: "general", platform: "web" })).toBe(before);
    // Another user is not affected.
    expect((await send(await freshUser(), { message: "mine" })).status).toBe(201);
  });

  it("holds the limit under 20 concurrent submissions", async () => {
    const s = await freshUser();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => send(s, { message: `burst ${i}` })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status === 429)).toHaveLength(10);
    expect(await rowsOf(s.user.id)).toHaveLength(10);
    expect(sink.named("feedback_submitted")).toHaveLength(10);
  });
});
