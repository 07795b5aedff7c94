import { describe, expect, it } from "vitest";
import { unavailableDependency } from "@/lib/http/errors";
import { isUnavailableCode, queryName, redactMessage, toDatabaseError } from "./errors";

describe("database error mapping", () => {
  it("names a query by its verb and first table", () => {
    expect(queryName('insert into "chat_messages" ("id", "body") values ($1, $2)')).toBe("insert into chat_messages");
    expect(queryName('select "id" from "issues" where "issues"."id" = $1')).toBe("select from issues");
    expect(queryName('update "sessions" set "last_used_at" = $1 where "token_hash" = $2')).toBe("update sessions");
    expect(queryName('delete from "public"."tokens" where "id" = $1')).toBe("delete from tokens");
    expect(queryName("select 1")).toBe("select");
  });

  it("cuts the value PostgreSQL quotes in its message", () => {
    expect(redactMessage('invalid input syntax for type uuid: "tdm_secret"')).toBe('invalid input syntax for type uuid: "…"');
    expect(redactMessage('invalid byte sequence for encoding "UTF8": 0x00')).toBe('invalid byte sequence for encoding "UTF8": 0x…');
    expect(redactMessage('duplicate key value violates unique constraint "users_email_unique"')).toContain("users_email_unique");
  });

  it("keeps only identifiers from a driver error wrapped by drizzle, and brands connection failures", () => {
    const cause = Object.assign(new Error("duplicate key value violates unique constraint \"users_email_unique\""), {
      code: "23505",
      detail: "Key (email)=(alice@example.com) already exists.",
      constraint_name: "users_email_unique",
      table_name: "users",
    });
    const wrapped = Object.assign(new Error('Failed query: insert into "users" ("email") values ($1)\nparams: alice@example.com'), { cause });
    const err = toDatabaseError(wrapped, 'insert into "users" ("email") values ($1)') as Error & Record<string, unknown>;
    expect(err.message).toBe('insert into users failed: duplicate key value violates unique constraint "users_email_unique"');
    expect(err).toMatchObject({ code: "23505", constraint: "users_email_unique", table: "users" });
    expect(JSON.stringify({ ...err, stack: err.stack, cause: err.cause })).not.toContain("alice");
    expect(unavailableDependency(err)).toBeUndefined();

    const reset = toDatabaseError(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), "select 1");
    expect(unavailableDependency(reset)).toBe("database");
    expect(["57014", "57P01", "08006", "53300", "CONNECT_TIMEOUT"].every(isUnavailableCode)).toBe(true);
    expect(["23505", "22P02", "40001", undefined].some(isUnavailableCode)).toBe(false);
  });
});
