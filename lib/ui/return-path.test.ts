import { describe, expect, it } from "vitest";
import { afterLoginPath, loginPath, safeReturnPath } from "./return-path";

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

describe("afterLoginPath", () => {
  it("an invitation first, even before onboarding: accepting it onboards the invitee", () => {
    expect(afterLoginPath(false, "/invite/0b7c6a4e-1f3e-4a51-9a53-0d0c3a8f2b11")).toBe("/invite/0b7c6a4e-1f3e-4a51-9a53-0d0c3a8f2b11");
    expect(afterLoginPath(true, "/invite/abc")).toBe("/invite/abc");
  });

  it("onboarding until onboarded, carrying where they were going; then there, or home", () => {
    expect(afterLoginPath(false, null)).toBe("/onboarding");
    expect(afterLoginPath(false, "/w/acme/issues?status=todo")).toBe(`/onboarding?next=${encodeURIComponent("/w/acme/issues?status=todo")}`);
    expect(afterLoginPath(true, "/w/acme")).toBe("/w/acme");
    expect(afterLoginPath(true, null)).toBe("/home");
    expect(afterLoginPath(true, undefined, "/")).toBe("/");
  });

  it("never leaves the origin", () => {
    expect(afterLoginPath(true, "//evil.example/invite/x")).toBe("/home");
    expect(afterLoginPath(false, "https://evil.example/")).toBe("/onboarding");
  });
});
