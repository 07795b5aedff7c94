#!/usr/bin/env bash
# The one test command (README): types, unit, integration on both backends, end-to-end.
#   integration runs twice: TEST_BACKEND=postgres (PostgreSQL + Redis on 127.0.0.1) and pglite (embedded default).
#   E2E=0 skips the browser tests and the chaos suite (quick local loop).
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
status=0

run() { # name, then the vitest arguments
  local name=$1; shift
  echo "== $name"
  npx vitest run "$@" --reporter=default --reporter=json --outputFile.json="$out/$name.json" || status=1
}

echo "== typecheck"
npx tsc --noEmit -p . || status=1

run unit --project unit
TEST_BACKEND=pglite run integration-pglite --project integration
TEST_BACKEND=postgres run integration-postgres --project integration
if [ "${E2E:-1}" != "0" ]; then
  run e2e --project e2e
  # Faults (Redis / PostgreSQL cut or hung behind TCP proxies) against the production build the e2e step made.
  E2E_REUSE_BUILD=1 run chaos --project chaos
fi

node -e '
  // Totals and, after them, what failed by name (a long log is often read from its tail only). A failure is a failed
  // test, or a file that failed with none (an error outside the tests, e.g. in a hook); vitest counts each describe
  // block around a failed test as a failed suite too, so its numFailedTestSuites would count one failure up to 3 times.
  const fs = require("fs"); let passed = 0, skipped = 0; const failures = [];
  for (const f of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
    const project = f.replace(/\.json$/, "");
    passed += r.numPassedTests; skipped += r.numPendingTests + (r.numTodoTests || 0);
    for (const file of r.testResults) {
      const tests = file.assertionResults.filter((t) => t.status === "failed");
      if (file.status === "failed" && tests.length === 0) failures.push(`${project} ${file.name}: ${String(file.message).split("\n")[0]}`);
      for (const t of tests) failures.push(`${project} ${file.name} > ${t.fullName}: ${String(t.failureMessages[0] ?? "").split("\n")[0]}`);
    }
  }
  console.log(`\ntests: ${passed} passed, ${failures.length} failed, ${skipped} skipped`);
  for (const x of failures) console.log(`FAILED ${x}`);
' "$out"
[ "$status" -eq 0 ] && echo "ALL GREEN" || echo "SOMETHING FAILED"
exit $status
