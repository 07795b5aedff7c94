/**
 * TELEMETRY.md §1: the five pairing rules, enforced by parsing app/ and lib/ with the TypeScript compiler API.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { EVENT_CATALOG, events, type EventBuilder } from "@/lib/telemetry/events";
import { FORBIDDEN_LABELS, registry, resetMetricsForTests } from "@/lib/telemetry/metrics";
import { recordEvent } from "@/lib/telemetry/record";
import { MemorySink, setSinkForTests } from "@/lib/telemetry/sink";
import { recordTaskEvent } from "@/lib/telemetry/tasks";
import { SAMPLE_EVENTS, exerciseTypedRecorders } from "@/tests/helpers/telemetry-samples";
import { ROOT, appSources, builderOf, calleeName, calls, enclosingFunction, visit, where, type Source } from "./source";

/**
 * Rule 4 exceptions: catalog events whose emitting routes land in a later issue. Each entry names where it will be
 * wired; the test fails when a pending event gains a call site, so this list only shrinks.
 */
const PENDING_CALL_SITES: Partial<Record<EventBuilder, string>> = {};

const ANALYTICS_MODULE = "lib/telemetry/";
/** Browser code uses posthog-js (TELEMETRY.md §9); the server rules do not apply to it. */
const BROWSER_ANALYTICS = "lib/analytics-client/";

const builders = Object.keys(EVENT_CATALOG) as EventBuilder[];
const taskBuilders = new Set<string>(builders.filter((b) => EVENT_CATALOG[b].task));

let sources: Source[];
beforeAll(() => {
  sources = appSources();
});

/** For an identifier argument: the builder of a `const/let/var x = events.b(...)` or `x = events.b(...)` in the same function. */
function builderAssignedTo(src: Source, id: ts.Identifier): string | undefined {
  const scope = enclosingFunction(id) ?? src.sf;
  let found: string | undefined;
  visit(scope, (n) => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === id.text && n.initializer) found ??= builderOf(n.initializer);
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && n.left.text === id.text)
      found ??= builderOf(n.right);
  });
  return found;
}

type Emission = { src: Source; call: ts.CallExpression; emitter: "recordEvent" | "recordTaskEvent"; builder?: string };

function emissions(): Emission[] {
  const out: Emission[] = [];
  for (const src of sources) {
    for (const call of calls(src.sf)) {
      const name = calleeName(call);
      if (name !== "recordEvent" && name !== "recordTaskEvent") continue;
      // The definitions' own recursive mentions do not exist; skip re-exports and the helper bodies.
      const arg = call.arguments[0];
      let builder: string | undefined;
      if (arg) builder = builderOf(arg) ?? (ts.isIdentifier(arg) ? builderAssignedTo(src, arg) : undefined);
      out.push({ src, call, emitter: name, builder });
    }
  }
  return out;
}

describe("TELEMETRY.md §1 lint", () => {
  it("rule 1: every catalog event moves a counter through recordEvent, or is a task event with a typed recorder", async () => {
    resetMetricsForTests();
    setSinkForTests(new MemorySink());
    const counterSum = async () => {
      let s = 0;
      for (const m of await registry().getMetricsAsJSON())
        if (String(m.type) === "counter" && m.name !== "tandem_analytics_events_total") for (const v of m.values) s += v.value;
      return s;
    };
    const recordSrc = readFileSync(path.join(ROOT, "lib/telemetry/record.ts"), "utf8");
    const tasksSrc = readFileSync(path.join(ROOT, "lib/telemetry/tasks.ts"), "utf8");
    const misses: string[] = [];
    for (const b of builders) {
      const { name, task } = EVENT_CATALOG[b];
      if (!(task ? tasksSrc : recordSrc).includes(`case "${name}":`)) misses.push(`${name}: no case in ${task ? "recordTaskEvent" : "incForEvent"}`);
      const before = await counterSum();
      (task ? recordTaskEvent : recordEvent)(SAMPLE_EVENTS[b]());
      if ((await counterSum()) <= before) misses.push(`${name}: no counter moved`);
    }
    setSinkForTests(undefined);
    expect(misses).toEqual([]);
  });

  it("rule 2: nothing outside the analytics module touches the PostHog client or the sink", () => {
    const offences: string[] = [];
    for (const src of sources) {
      if (src.file.startsWith(BROWSER_ANALYTICS)) continue;
      const inModule = src.file.startsWith(ANALYTICS_MODULE);
      for (const st of src.sf.statements) {
        if (!ts.isImportDeclaration(st) && !ts.isExportDeclaration(st)) continue;
        const spec = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : "";
        if (spec === "posthog-node" && src.file !== "lib/telemetry/sink.ts") offences.push(`${where(src, st)} imports posthog-node`);
        if (!inModule && /(^|\/)telemetry\/sink$/.test(spec) && !/setSinkForTests|shutdownTelemetry|MemorySink/.test(st.getText()))
          offences.push(`${where(src, st)} imports the sink`);
      }
      for (const call of calls(src.sf)) {
        const name = calleeName(call);
        // Server code never captures directly: events reach PostHog only through the outbox (issue 12).
        if (name === "capture" || name === "captureImmediate") offences.push(`${where(src, call)} calls ${call.expression.getText()}`);
        // The sink's two steps (in the transaction, after the commit) belong to the one emission path.
        if ((name === "stage" || name === "committed") && /sink/i.test(call.expression.getText()) && src.file !== "lib/telemetry/record.ts")
          offences.push(`${where(src, call)} calls ${call.expression.getText()}`);
      }
    }
    expect(offences).toEqual([]);
  });

  it("rule 3: every recordEvent / recordTaskEvent argument is a direct builder call or a local constant from one", () => {
    const offences: string[] = [];
    for (const e of emissions()) {
      if (e.src.file === "lib/telemetry/record.ts" || e.src.file === "lib/telemetry/tasks.ts") continue;
      if (!e.builder || !(e.builder in EVENT_CATALOG)) {
        offences.push(`${where(e.src, e.call)}: ${e.emitter}(${e.call.arguments[0]?.getText().slice(0, 60) ?? ""}) is not a builder call`);
      } else if (taskBuilders.has(e.builder) !== (e.emitter === "recordTaskEvent")) {
        offences.push(`${where(e.src, e.call)}: ${e.builder} must go through ${taskBuilders.has(e.builder) ? "recordTaskEvent" : "recordEvent"}`);
      }
    }
    expect(offences).toEqual([]);
  });

  it("outbox: every emission is staged in a withEvents transaction (`recordEvent(ev, tx)`) or awaited on its own", () => {
    const offences: string[] = [];
    for (const e of emissions()) {
      if (e.src.file.startsWith(ANALYTICS_MODULE)) continue;
      const inTx = e.call.arguments.length >= 2;
      let parent: ts.Node = e.call.parent;
      while (ts.isParenthesizedExpression(parent)) parent = parent.parent;
      const awaited = ts.isAwaitExpression(parent) || ts.isReturnStatement(parent);
      if (!inTx && !awaited) offences.push(`${where(e.src, e.call)}: ${e.emitter}(...) neither passes tx nor is awaited (its outbox row could be lost)`);
    }
    expect(offences).toEqual([]);
  });

  it("rule 4: every catalog event has a call site in the app (minus the documented pending list)", () => {
    const emitted = new Set(emissions().filter((e) => !e.src.file.startsWith(ANALYTICS_MODULE)).map((e) => e.builder));
    const missing = builders.filter((b) => !emitted.has(b) && !(b in PENDING_CALL_SITES));
    const stalePending = Object.keys(PENDING_CALL_SITES).filter((b) => emitted.has(b));
    expect(missing, "events never emitted").toEqual([]);
    expect(stalePending, "wired now: remove from PENDING_CALL_SITES").toEqual([]);
  });

  it("rule 5: no metric uses an id-like label, and no metric is created outside the analytics module", () => {
    const offences: string[] = [];
    for (const m of registry().getMetricsAsArray()) {
      const labels = (m as unknown as { labelNames?: string[] }).labelNames ?? [];
      for (const l of labels) if (FORBIDDEN_LABELS.includes(l)) offences.push(`${(m as unknown as { name: string }).name}{${l}}`);
    }
    for (const src of sources) {
      if (src.file.startsWith(ANALYTICS_MODULE)) continue;
      visit(src.sf, (n) => {
        if (ts.isNewExpression(n) && /^(Counter|Gauge|Histogram|Summary)$/.test(n.expression.getText())) offences.push(`${where(src, n)} creates a metric`);
        if (ts.isPropertyAssignment(n) && n.name.getText() === "labelNames" && ts.isArrayLiteralExpression(n.initializer))
          for (const el of n.initializer.elements)
            if (ts.isStringLiteral(el) && FORBIDDEN_LABELS.includes(el.text)) offences.push(`${where(src, el)} label ${el.text}`);
      });
    }
    expect(FORBIDDEN_LABELS).toEqual(expect.arrayContaining(["workspace_id", "user_id", "agent_id", "task_id", "issue_id", "runtime_id", "session_id", "ip", "email"]));
    expect(offences).toEqual([]);
  });

  it("the catalog's builders are exactly `events`", () => {
    expect(Object.keys(events).sort()).toEqual([...builders].sort());
  });

  it("every typed recorder and event is exercised by the samples (no family is left undefined)", () => {
    expect(() => exerciseTypedRecorders()).not.toThrow();
  });
});
