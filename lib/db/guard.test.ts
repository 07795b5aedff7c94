import { describe, expect, it } from "vitest";
import { sqlOperation } from "./guard";

describe("sqlOperation (the database span's name)", () => {
  it("is the statement's first keyword, upper-cased and bounded", () => {
    expect(sqlOperation('select "id" from "users" where "id" = $1')).toBe("SELECT");
    expect(sqlOperation("\n  insert into t values ($1)")).toBe("INSERT");
    expect(sqlOperation("with gone as (delete from t) select 1")).toBe("WITH");
    expect(sqlOperation("x".repeat(100))).toBe("X".repeat(16));
    expect(sqlOperation("")).toBe("QUERY");
    expect(sqlOperation("(select 1)")).toBe("QUERY");
  });
});
