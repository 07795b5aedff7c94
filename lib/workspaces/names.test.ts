import { describe, expect, it } from "vitest";
import { deriveIssuePrefix, slugify, SLUG_PATTERN } from "./names";

describe("deriveIssuePrefix", () => {
  it("takes the first three letters", () => {
    expect(deriveIssuePrefix("Acme Robotics")).toBe("ACM");
    expect(deriveIssuePrefix("ab")).toBe("AB");
    expect(deriveIssuePrefix("Ünïcode Ltd")).toBe("UNI");
  });
  it("falls back when the name has no letters", () => {
    expect(deriveIssuePrefix("!!! ???")).toBe("WS");
  });
});

describe("slugify", () => {
  it("makes a URL-safe slug", () => {
    expect(slugify("Acme Robotics!")).toBe("acme-robotics");
    expect(slugify("  --Hello__World--  ")).toBe("hello-world");
    expect(SLUG_PATTERN.test(slugify("x".repeat(100)))).toBe(true);
  });
  it("returns empty for names without usable characters", () => {
    expect(slugify("!!!")).toBe("");
  });
});
