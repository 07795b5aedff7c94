/**
 * Issue 11 item 6: a failed query must never put its parameters (issue titles, chat text, token hashes) in the log,
 * neither through the route error mapper nor when something else prints the error whole (Next logs a page's error).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { inspect } from "node:util";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getDb } from "@/lib/db";
import { DatabaseError } from "@/lib/db/errors";
import { issues } from "@/lib/db/schema";
import { errorToResponse, route } from "@/lib/http";

const secret = () => `SECRET-${randomBytes(8).toString("hex")}`;

/** Everything written to the console while `fn` runs. */
async function captureLogs(fn: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const spies = (["error", "warn", "log", "info", "debug"] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 8, showHidden: true }))).join(" "));
    }),
  );
  try {
    await fn().catch(() => {});
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return lines.join("\n");
}

async function thrownBy(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected the query to fail");
}

afterEach(() => vi.restoreAllMocks());

describe("failed queries keep their parameters out of logs", () => {
  it("a constraint violation carrying a secret title: the route answers 500, the log names the query only", async () => {
    const db = await getDb();
    const title = secret();
    const handler = route("/api/test-failing-query", async () => {
      // The workspace does not exist: a foreign-key violation, with the title among the parameters.
      await db.insert(issues).values({ workspaceId: randomUUID(), number: 1, title, creatorType: "member", creatorId: randomUUID() });
      return Response.json({});
    });
    let status = 0;
    const log = await captureLogs(async () => {
      status = (await handler(new Request("http://localhost/api/test-failing-query", { method: "POST" }))).status;
    });
    expect(status).toBe(500);
    expect(log).toContain("insert into issues");
    expect(log).toContain("23503");
    expect(log).not.toContain(title);
    expect(log).not.toMatch(/params:/);
  });

  it("a value PostgreSQL echoes in its message (invalid uuid) is cut out of the error itself", async () => {
    const db = await getDb();
    const token = secret();
    const err = await thrownBy(db.select().from(issues).where(eq(issues.id, token)));
    expect(err).toBeInstanceOf(DatabaseError);
    expect((err as DatabaseError).code).toBe("22P02");
    expect((err as DatabaseError).query).toBe("select from issues");
    // Whatever prints the error whole (Next's own error log for a page) sees no parameter either.
    const printed = inspect(err, { depth: 8, showHidden: true });
    expect(printed).not.toContain(token);
    expect(printed).toContain("22P02");
    const log = await captureLogs(async () => void errorToResponse(err));
    expect(log).not.toContain(token);
  });

  it("inside a transaction too", async () => {
    const db = await getDb();
    const text = secret();
    const err = await thrownBy(
      db.transaction(async (tx) => {
        await tx.insert(issues).values({ workspaceId: randomUUID(), number: 1, title: text, creatorType: "member", creatorId: randomUUID() });
      }),
    );
    expect(inspect(err, { depth: 8, showHidden: true })).not.toContain(text);
    expect(String((err as Error).stack)).not.toContain(text);
  });
});
