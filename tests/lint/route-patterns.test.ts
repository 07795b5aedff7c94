/**
 * `route("<pattern>", ...)` labels HTTP metrics with its pattern; a pattern that drifts from the file's path would
 * mislabel every request. Each route file under app/api must pass its own path as a string literal.
 */
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { appSources, calleeName, calls, where } from "./source";

/** app/api/workspaces/[id]/route.ts → /api/workspaces/[id]; route groups `(x)` are not part of the URL. */
function patternForFile(file: string): string {
  const segments = file.replace(/^app/, "").replace(/\/route\.tsx?$/, "").split("/");
  return segments.filter((s) => !/^\(.*\)$/.test(s)).join("/") || "/";
}

describe("route patterns", () => {
  it("every route() call in a route file uses the file's own path", () => {
    const offences: string[] = [];
    let checked = 0;
    for (const src of appSources()) {
      if (!/^app\/.*\/route\.tsx?$/.test(src.file)) continue;
      const expected = patternForFile(src.file);
      for (const call of calls(src.sf)) {
        if (calleeName(call) !== "route" || !ts.isIdentifier(call.expression)) continue;
        checked++;
        const arg = call.arguments[0];
        if (!arg || !ts.isStringLiteralLike(arg)) offences.push(`${where(src, call)}: pattern is not a string literal`);
        else if (arg.text !== expected) offences.push(`${where(src, call)}: "${arg.text}" should be "${expected}"`);
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(offences).toEqual([]);
  });

  it("maps file paths to patterns", () => {
    expect(patternForFile("app/api/workspaces/[id]/route.ts")).toBe("/api/workspaces/[id]");
    expect(patternForFile("app/(site)/api/x/route.ts")).toBe("/api/x");
  });
});
