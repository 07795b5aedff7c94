/**
 * docs/operations.md stays true to ops/: every alert's runbook_url lands on a heading of the page, every alert and
 * recording rule is documented, and every ops/ file the page tells people to copy exists.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./promtool";
import { alertRules, recordingRules } from "./rules";

const doc = fs.readFileSync(path.join(ROOT, "docs/operations.md"), "utf8");

/** GitHub's heading anchors: lower-case, punctuation removed, spaces → hyphens. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
const anchors = new Set([...doc.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchor(m[1]!)));

describe("docs/operations.md", () => {
  it("has the section every runbook_url points at", () => {
    for (const a of alertRules()) {
      const [file, hash] = a.annotations!.runbook_url!.split("#");
      expect(file).toBe("docs/operations.md");
      expect(anchors.has(hash!), `${a.alert} → #${hash}`).toBe(true);
    }
  });

  it("documents every recording rule", () => {
    for (const r of recordingRules()) {
      const family = r.record!.replace(/(ratio_rate|rate)(5m|30m|1h|2h|6h|1d|3d|15m)$/, "$1<W>");
      const documented = doc.includes(r.record!) || doc.includes(family) || (r.record!.startsWith("tandem:funnel_") && doc.includes("tandem:funnel_*"));
      expect(documented, r.record).toBe(true);
    }
  });

  it("links resolve inside the page, and the ops/ files it names exist", () => {
    for (const m of doc.matchAll(/\]\(#([^)]+)\)/g)) expect(anchors.has(m[1]!), m[1]).toBe(true);
    const files = new Set([...doc.matchAll(/(?<![\w/])ops\/[\w./-]+/g)].map((m) => m[0].replace(/[.,]$/, "")));
    expect(files.size).toBeGreaterThan(5);
    for (const f of files) if (!f.includes("*")) expect(fs.existsSync(path.join(ROOT, f)), f).toBe(true);
  });
});
