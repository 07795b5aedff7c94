import { describe, expect, it } from "vitest";
import { aggregateChecks, deriveMergeableState, derivePRState, extractClosingIdentifiers, extractIdentifiers } from "./links";

const ids = (refs: { prefix: string; number: number }[]) => refs.map((r) => `${r.prefix}-${r.number}`);

describe("GitHub links", () => {
  it("finds identifiers in title, body and branch (deduplicated, upper-cased)", () => {
    expect(ids(extractIdentifiers("ENG-1: x", "see eng-2 and ENG-1", "eng-3/fix"))).toEqual(["ENG-1", "ENG-2", "ENG-3"]);
    expect(ids(extractIdentifiers("nothing here", "", "main"))).toEqual([]);
    expect(ids(extractIdentifiers("user-1", "", ""))).toEqual(["USER-1"]); // filtered later by the prefix check
  });

  it("check 7–8: closing keywords only right before the identifier, in title/body, never the branch", () => {
    for (const kw of ["close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves", "resolved"]) {
      expect(ids(extractClosingIdentifiers("", `${kw} ENG-3`)), kw).toEqual(["ENG-3"]);
    }
    expect(ids(extractClosingIdentifiers("", "Fixes: ENG-3"))).toEqual(["ENG-3"]);
    expect(ids(extractClosingIdentifiers("", "FIXES eng-3, closes ENG-4 and fixes ENG-3"))).toEqual(["ENG-3", "ENG-4"]);
    expect(ids(extractClosingIdentifiers("Fix login ENG-1", ""))).toEqual([]);
    expect(ids(extractClosingIdentifiers("Disclosed ENG-1", "foreclose ENG-2"))).toEqual([]);
    expect(ids(extractClosingIdentifiers("ENG-1: x", ""))).toEqual([]);
  });

  it("check 5: derived state — merged beats draft, closed-unmerged is closed, an open draft is draft", () => {
    expect(derivePRState({ merged: true, draft: true, state: "closed" })).toBe("merged");
    expect(derivePRState({ merged: false, state: "closed" })).toBe("closed");
    expect(derivePRState({ state: "open", draft: true })).toBe("draft");
    expect(derivePRState({ state: "open" })).toBe("open");
  });

  it("check 6: mergeable state cleared on push/reopen/base change, kept when the payload has none", () => {
    for (const a of ["opened", "synchronize", "reopened"]) expect(deriveMergeableState(a, false, "clean")).toBeNull();
    expect(deriveMergeableState("edited", true, "clean")).toBeNull();
    expect(deriveMergeableState("labeled", false, "")).toBeUndefined();
    expect(deriveMergeableState("labeled", false, null)).toBeUndefined();
    expect(deriveMergeableState("edited", false, "dirty")).toBe("dirty");
  });

  it("check 12: only suites on the current head count; latest per app; failed > pending > passed", () => {
    const at = (s: number) => new Date(1_700_000_000_000 + s * 1000);
    const suites = [
      { headSha: "old", appId: 1, status: "completed", conclusion: "failure", updatedAt: at(1) },
      { headSha: "h", appId: 1, status: "completed", conclusion: "failure", updatedAt: at(2) },
      { headSha: "h", appId: 1, status: "completed", conclusion: "success", updatedAt: at(3) },
      { headSha: "h", appId: 2, status: "in_progress", conclusion: null, updatedAt: at(3) },
    ];
    expect(aggregateChecks("h", suites)).toEqual({ checks_passed: 1, checks_failed: 0, checks_pending: 1, checks_conclusion: "pending" });
    expect(aggregateChecks("h", suites.slice(0, 3))).toMatchObject({ checks_conclusion: "passed" });
    expect(aggregateChecks("old", suites)).toMatchObject({ checks_failed: 1, checks_conclusion: "failed" });
    expect(aggregateChecks("", suites).checks_conclusion).toBeNull();
  });
});
