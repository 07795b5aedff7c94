import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

// From the working directory (npm runs scripts in the repo root): the compiled benches run from tmp/bench.
const DOC = path.resolve(process.cwd(), "docs/performance.md");

/**
 * Writes one benchmark's section of docs/performance.md between `<!-- bench:<name>:start/end -->` markers,
 * leaving the other benchmarks' sections alone (appended when the markers are not there yet).
 */
export function writePerformanceSection(name: string, section: string): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const doc = existsSync(DOC) ? readFileSync(DOC, "utf8") : "# Performance\n";
  const block = `${start}\n${section}${end}\n`;
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  const next = a >= 0 && b > a ? doc.slice(0, a) + block + doc.slice(b + end.length + 1) : `${doc.trimEnd()}\n\n${block}`;
  writeFileSync(DOC, next);
}
