import { describe, expect, it } from "vitest";
import { loginPath, safeReturnPath } from "./return-path";

describe("safeReturnPath", () => {
  it.each([
    ["/invite/1f2e", "/invite/1f2e"],
    ["/w/acme/issues?status=todo#x", "/w/acme/issues?status=todo#x"],
  ])("keeps same-origin %s", (raw, out) => expect(safeReturnPath(raw)).toBe(out));

  it.each(["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "/%0d%0aLocation:x\n", "", "w/acme", "/login?next=/x", "/api/me"])(
    "rejects %s",
    (raw) => expect(safeReturnPath(raw)).toBeNull(),
  );

  it("builds the login URL", () => {
    expect(loginPath("/invite/abc")).toBe("/login?next=%2Finvite%2Fabc");
    expect(loginPath("//evil")).toBe("/login");
  });
});
