import { describe, expect, it } from "vitest";
import { sqlLiteral } from "./pipeline";

describe("sqlLiteral", () => {
  it("doubles quotes and backslashes inside an escape string, whatever standard_conforming_strings says", () => {
    expect(sqlLiteral("plain")).toBe("E'plain'");
    expect(sqlLiteral(`O'Brien`)).toBe(`E'O''Brien'`);
    expect(sqlLiteral(`a\\b`)).toBe(`E'a\\\\b'`);
    expect(sqlLiteral(`\\'); drop table users; --`)).toBe(`E'\\\\''); drop table users; --'`);
    expect(sqlLiteral("")).toBe("E''");
    expect(sqlLiteral(null)).toBe("null");
  });

  it("leaves no quote unpaired: every ' inside the literal is doubled, so the literal ends only at its last character", () => {
    for (const s of [`'`, `''`, `\\'`, `\\\\'`, `x'\\`, `'\\'\\'`]) {
      const body = sqlLiteral(s).slice(2, -1);
      expect(body.replaceAll("''", "").includes("'")).toBe(false);
      // Read back the way PostgreSQL reads an E'' string: \\ → \, '' → '.
      expect(body.replace(/\\\\|''/g, (m) => m[0]!)).toBe(s);
    }
  });

  it("refuses a NUL character (PostgreSQL text cannot hold one)", () => {
    expect(() => sqlLiteral("a\0b")).toThrow(/NUL/);
  });
});
