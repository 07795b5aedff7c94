import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { POST as invite } from "@/app/api/workspaces/[id]/invitations/route";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { invitations } from "@/lib/db/schema";
import { call, uniqueEmail } from "./helpers/api";
import { captureEvents } from "./helpers/telemetry";
import { ownerWithWorkspace } from "./helpers/workspace";

const sink = captureEvents();

afterEach(() => {
  delete process.env.SMTP_URL;
  resetConfigForTests();
});

describe("when SMTP is down", () => {
  it("an invitation whose mail cannot be sent is undone: 503, nothing stored, no event", async () => {
    const { owner, workspace } = await ownerWithWorkspace("Mailless");
    process.env.SMTP_URL = "smtp://127.0.0.1:1"; // nothing listens there
    resetConfigForTests();
    const res = await call(invite, { params: { id: workspace.id }, body: { email: uniqueEmail("lost") }, session: owner });
    expect(res.status).toBe(503);
    expect(res.body.error).toMatch(/invitation email/);
    expect(await (await getDb()).select().from(invitations).where(eq(invitations.workspaceId, workspace.id))).toHaveLength(0);
    expect(sink.named("team_invite_sent")).toHaveLength(0);
  });
});
