/**
 * ReDoS guard (issue 11): a super-linear regex over request data lets one request freeze the event loop — the old
 * `hasMarkdownImage` regex took ~46 s on 10 KB of `![](a`. This test finds every regex literal (and `new RegExp`)
 * in app/ and lib/, requires each to be listed below with what it is applied to, asks recheck (a ReDoS checker)
 * whether it backtracks super-linearly, and feeds every regex applied to request data 100 KB of adversarial input
 * (recheck's attack string when it has one, else pumps built from the regex's own characters) within a time budget.
 * Matching runs in a `vm` context with a timeout, so a catastrophic regex fails the test instead of hanging it.
 */
import vm from "node:vm";
import { checkSync } from "recheck";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { hasMarkdownImage } from "@/lib/telemetry/labels";
import { appSources, visit, where } from "./source";

/** Regexes applied to request data (body, query, path, headers, cookies) → what they read. */
const REQUEST_DATA: Record<string, string> = {
  "app/api/agents/route.ts /^[a-z0-9][a-z0-9_-]{0,63}$/": "body.template",
  "app/api/auth/verify-code/route.ts /^\\d{6}$/": "body.code",
  "app/api/daemon/runtimes/[id]/requests/[requestId]/result/route.ts /^[0-9a-f]{32}$/": "path requestId",
  "app/api/metrics/route.ts /^Bearer\\s+(\\S+)$/i": "Authorization header",
  "app/api/runtimes/[id]/requests/[requestId]/route.ts /^[0-9a-f]{32}$/": "path requestId",
  "app/w/[slug]/issues/page.tsx /^[0-9a-f-]{36}$/i": "page query assignee",
  "lib/auth/codes.ts /\\+/g": "signup-source cookie",
  "lib/http/text.ts /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i": "path ids, query issue_id, X-Workspace-Id; the fleet's answer (owner id); user ids of our own events",
  "lib/auth/guard.ts /^Bearer\\s+(\\S+)$/i": "Authorization header",
  "lib/autopilots/cadence.ts /\\s+/": "body.cron",
  "lib/autopilots/cadence.ts /^CronPattern:\\s*/": "the cron library's message about body.cron (it quotes the value)",
  "lib/autopilots/webhook.ts /^awt_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/": "path token",
  "lib/forms/contact-sales.ts /^[^<>]*<([^<>]+)>$/": "body.email",
  "lib/http/request.ts /^::ffff:/": "peer-address header",
  "lib/issues/index.ts /^([A-Za-z][A-Za-z0-9]*)-(\\d{1,9})$/": "path issue identifier",
  "lib/issues/index.ts /[\\\\%_]/g": "query q",
  "lib/runtimes/auth.ts /^Bearer\\s+(\\S+)$/i": "Authorization header",
  "lib/telemetry/labels.ts /^[0-9]{3}$/": "X-Client-Version / status labels",
  "lib/telemetry/labels.ts /^[a-z]{3}$/": "country label",
  "lib/telemetry/labels.ts /[^a-z0-9._:/+-]+/g": "model names from usage reports",
  "lib/telemetry/labels.ts /(^|[^0-9])5[0-9][0-9]([^0-9]|$)/": "task failure reasons from the daemon",
  "lib/telemetry/labels.ts /[/?#]/": "signup-source cookie",
  "lib/telemetry/pricing.ts /(^|[/:])gpt-5[.-]5($|[^0-9])/": "model names from usage reports",
  "lib/telemetry/pricing.ts /(^|[/:])gpt-5[.-]4-mini/": "model names from usage reports",
  "lib/telemetry/pricing.ts /(^|[/:])gpt-5[.-]4(-2026-03-05|-xhigh)?($|[^0-9-])/": "model names from usage reports",
  "lib/telemetry/pricing.ts /(^|[/:])gpt-5[.-]3-codex/": "model names from usage reports",
  "lib/telemetry/pricing.ts /(^|[/:])gpt-5[.-]2-codex/": "model names from usage reports",
  "lib/telemetry/pricing.ts /claude-opus-4[-.]7|claude-4[-.]7-opus/": "model names from usage reports",
  "lib/telemetry/pricing.ts /claude-opus-4[-.]6|claude-4[-.]6-opus/": "model names from usage reports",
  "lib/telemetry/pricing.ts /claude-opus-4[-.]5|claude-4[-.]5-opus/": "model names from usage reports",
  "lib/telemetry/pricing.ts /claude-sonnet-4[-.]6|claude-4[-.]6-sonnet/": "model names from usage reports",
  "lib/telemetry/pricing.ts /claude-sonnet-4[-.]5|claude-4[-.]5-sonnet/": "model names from usage reports",
  "lib/telemetry/pricing.ts /claude-haiku-4[-.]5|claude-4[-.]5-haiku/": "model names from usage reports",
  "lib/telemetry/pricing.ts /deepseek-v4-pro|deepseek[/:]v4-pro/": "model names from usage reports",
  "lib/telemetry/pricing.ts /deepseek-v4-flash|deepseek[/:]v4-flash|deepseek-chat|deepseek-reasoner/": "model names from usage reports",
  "lib/telemetry/pricing.ts /minimax-m2[.-]7-highspeed|(^|[/:])m2[.-]7-highspeed/": "model names from usage reports",
  "lib/telemetry/pricing.ts /minimax-m2[.-]7|(^|[/:])m2[.-]7($|[^0-9])/": "model names from usage reports",
  "lib/telemetry/pricing.ts /gemini-3-flash/": "model names from usage reports",
  "lib/telemetry/pricing.ts /gemini-3[.-]1-pro/": "model names from usage reports",
  "lib/telemetry/pricing.ts /gemini-2[.-]5-pro/": "model names from usage reports",
  "lib/telemetry/pricing.ts /gemini-2[.-]5-flash/": "model names from usage reports",
  "lib/workspaces/names.ts /[^A-Za-z0-9]/g": "body.name (workspace)",
  "lib/workspaces/names.ts /[^a-z0-9]+/g": "body.name (workspace)",
  "lib/workspaces/names.ts /^-|-$/g": "body.name (workspace)",
  "lib/workspaces/names.ts /-$/": "body.name (workspace)",
  "lib/workspaces/names.ts /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/": "body.slug",
  "app/w/[slug]/autopilots/WebhookDeliveries.tsx /_/g": "stored webhook event names (from request headers/bodies)",
  "lib/admin/index.ts /[\",\\n\\r]/": "CSV export cells (stored request data)",
  "lib/admin/index.ts /^[=+\\-@]/": "CSV export cells (stored request data)",
  "lib/admin/index.ts /\"/g": "CSV export cells (stored request data)",
  "lib/auth/guard.ts /^Bearer\\s+(tcn_|tdd_)/i": "Authorization header",
  "lib/autopilots/describe.ts /^\\d+$/": "stored cron expression (body.cron)",
  "lib/autopilots/describe.ts /\\s+/": "stored cron expression (body.cron)",
  "lib/autopilots/describe.ts /^\\*\\/(\\d+)$/": "stored cron expression (body.cron)",
  "lib/autopilots/envelope.ts /^\\uFEFF/": "webhook body",
  "lib/cloud/billing.ts /^[A-Za-z0-9_]{1,255}$/": "path session id",
  "lib/cloud/fleet.ts /^[A-Za-z0-9._:-]{1,128}$/": "X-Request-ID header, query string",
  "lib/cloud/fleet.ts /^\\?/": "X-Request-ID header, query string",
  "lib/db/errors.ts /\\s+/g": "database error messages (may quote request values)",
  "lib/db/errors.ts /^\\(?\\s*([a-z]+)/i": "database error messages (may quote request values)",
  "lib/db/errors.ts /\\b(?:from|into|update|join)\\s+\"?([a-z_][\\w$]*)\"?(?:\\.\"?([a-z_][\\w$]*)\"?)?/i": "database error messages (may quote request values)",
  "lib/db/errors.ts /:\\s*\".*\"/g": "database error messages (may quote request values)",
  "lib/db/errors.ts /:\\s*0x[0-9a-f ]+/gi": "database error messages (may quote request values)",
  "lib/github/installations.ts /^\\d{1,15}$/": "query installation_id",
  "lib/github/links.ts /\\b([A-Za-z][A-Za-z0-9]{0,9})-(\\d{1,9})\\b/g": "pull request titles, branches and bodies (webhook body)",
  "lib/github/links.ts /\\b(?:close|closes|closed|fix|fixes|fixed|resolve|resolves|resolved)(?:\\s*:\\s*|\\s+)([A-Za-z][A-Za-z0-9]{0,9})-(\\d{1,9})\\b/gi": "pull request titles, branches and bodies (webhook body)",
  "lib/github/signature.ts /^sha256=[0-9a-f]{64}$/": "X-Hub-Signature-256 header",
  "lib/github/state.ts /^\\d+$/": "query state",
  "lib/http/errors.ts /\\nparams:[\\s\\S]*$/": "error messages and stacks (may hold request values)",
  "lib/http/errors.ts /^\\s+at /": "error messages and stacks (may hold request values)",
  "lib/ui/return-path.ts /[\\u0000-\\u001f\\u007f\\\\]/": "query next (return path)",
};

/** Regexes that never see request data → what they read instead. Still checked by recheck. */
const OTHER: Record<string, string> = {
  "app/onboarding/OnboardingFlow.tsx /mac/i": "the browser's own navigator.platform",
  "lib/analytics-client/client.ts /Electron/": "the browser's own user agent",
  "lib/autopilots/webhook.ts /-/g": "a UUID we generated",
  "lib/autopilots/webhook.ts /^[0-9a-f]{64}$/": "a hash from our database",
  "lib/config.ts /^[a-z]{3}$/": "environment configuration",
  "lib/daemon/providers.ts /\\s+/": "the daemon's own agent output",
  "lib/daemon/providers.ts /^TANDEM_USAGE\\s+(\\{.*\\})\\s*$/": "the daemon's own agent output",
  "lib/telemetry/exposition.ts /\\\\/g": "bounded metric label values",
  "lib/telemetry/exposition.ts /\"/g": "bounded metric label values",
  "lib/telemetry/exposition.ts /\\n/g": "bounded metric label values",
  "lib/telemetry/exposition.ts /_total$/": "metric names",
  "lib/telemetry/ingest-proxy.ts /\\/$/": "configured PostHog host",
  "lib/telemetry/sampler-queries.ts /^[a-z0-9_]+$/": "our own label allow-lists (module load)",
  "lib/config.ts /^(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?$/": "environment configuration",
  "lib/config.ts /^\\/[A-Za-z0-9_-]{1,64}$/": "environment configuration",
  "lib/config.ts /^[0-9]{1,20}$/": "environment configuration",
  "lib/config.ts /^([a-z][a-z0-9+.-]*):/i": "environment configuration (a refused URL's scheme)",
  "lib/telemetry/erasure.ts /^https:\\/\\/(us|eu)\\.i\\.posthog\\.com$/": "configured PostHog host; our own user ids",
  "lib/telemetry/erasure.ts /[\"\\\\]/g": "configured PostHog host; our own user ids",
  "lib/telemetry/public-config.ts /^\\/[A-Za-z0-9_-]{1,64}$/": "environment configuration (POSTHOG_PROXY_PATH)",
};

/** Matchers over request data that are functions rather than regexes (they replaced a regex that backtracked). */
const FUNCTIONS: Record<string, (s: string) => unknown> = {
  "hasMarkdownImage (feedback message)": hasMarkdownImage,
};

const INPUT_BYTES = 100_000;
/** Generous for a shared CI machine: a linear scan of 100 KB takes well under 5 ms. */
const BUDGET_MS = 250;

type Found = { key: string; at: string; source: string; flags: string };

function regexesInSources(): Found[] {
  const out: Found[] = [];
  for (const src of appSources()) {
    visit(src.sf, (n) => {
      let source: string | undefined;
      let flags = "";
      if (n.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = n.getText();
        const end = text.lastIndexOf("/");
        source = text.slice(1, end);
        flags = text.slice(end + 1);
      } else if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === "RegExp") {
        const [a, b] = n.arguments ?? [];
        // A RegExp built from anything but literals cannot be checked statically: list it as an offence.
        source = a && ts.isStringLiteralLike(a) ? a.text : `<dynamic ${n.getText()}>`;
        flags = b && ts.isStringLiteralLike(b) ? b.text : "";
      }
      if (source !== undefined) out.push({ key: `${src.file} /${source}/${flags}`, at: where(src, n), source, flags });
    });
  }
  return out;
}

const repeatTo = (unit: string, suffix = "") => unit.repeat(Math.ceil((INPUT_BYTES - suffix.length) / Math.max(unit.length, 1))) + suffix;

/** Pumps from the regex's own characters: each one repeated, each neighbouring pair repeated, then a mismatch. */
function pumps(source: string): string[] {
  const chars = [...new Set(source.replace(/\\(.)/g, "$1"))].concat(["a", "0", " ", "-", "\n"]);
  const units = new Set<string>(chars);
  for (let i = 0; i + 1 < source.length; i++) units.add(source.slice(i, i + 2));
  units.add(source.replace(/[\\^$]/g, ""));
  const out: string[] = [];
  for (const u of units) for (const suffix of ["", "!", "\u0000"]) out.push(repeatTo(u, suffix));
  return out;
}

/** Milliseconds `run(input)` took, or Infinity when it was still running after the timeout. */
const sandbox = vm.createContext({ run: (_: string): unknown => undefined, input: "" });
const runInSandbox = new vm.Script("run(input)");

function timeIt(run: (s: string) => unknown, input: string): number {
  Object.assign(sandbox, { run, input });
  const started = performance.now();
  try {
    runInSandbox.runInContext(sandbox, { timeout: BUDGET_MS * 4 });
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_SCRIPT_EXECUTION_TIMEOUT") return Infinity;
    throw err;
  }
  return performance.now() - started;
}

const apply = (re: RegExp) => (s: string) => (re.global ? s.replace(re, "") : re.test(s));

describe("regexes over request data are linear", () => {
  const found = regexesInSources();

  it("lists every regex in app/ and lib/ with what it reads", () => {
    const listed = new Set([...Object.keys(REQUEST_DATA), ...Object.keys(OTHER)]);
    const unlisted = found.filter((f) => !listed.has(f.key)).map((f) => `${f.at}: ${f.key} — add it to REQUEST_DATA or OTHER`);
    const present = new Set(found.map((f) => f.key));
    const stale = [...listed].filter((k) => !present.has(k)).map((k) => `${k} is listed but no longer in the sources`);
    expect([...unlisted, ...stale]).toEqual([]);
  });

  it("recheck finds no super-linear backtracking in any of them", () => {
    const vulnerable: string[] = [];
    for (const f of found) {
      if (f.source.startsWith("<dynamic")) continue; // reported by the listing test
      const d = checkSync(f.source, f.flags, { timeout: 10_000 });
      if (d.status !== "safe") vulnerable.push(`${f.at}: /${f.source}/${f.flags} is ${d.status}${d.status === "vulnerable" ? ` (${d.complexity.type}, attack ${d.attack.pattern})` : ""}`);
    }
    expect(vulnerable).toEqual([]);
  }, 120_000);

  it(`each regex applied to request data matches ${INPUT_BYTES / 1000} KB of adversarial input within ${BUDGET_MS} ms`, () => {
    const slow: string[] = [];
    const targets: { name: string; run: (s: string) => unknown; inputs: string[] }[] = [];
    for (const f of found.filter((x) => REQUEST_DATA[x.key])) {
      const d = checkSync(f.source, f.flags, { timeout: 10_000 });
      const inputs = pumps(f.source);
      if (d.status === "vulnerable") {
        // Scale recheck's attack up to the input size: prefix + pump × n + suffix.
        const p = d.attack.pumps[0];
        if (p) inputs.unshift(p.prefix + repeatTo(p.pump, d.attack.suffix));
      }
      targets.push({ name: `${f.at} /${f.source}/${f.flags}`, run: apply(new RegExp(f.source, f.flags)), inputs });
    }
    for (const [name, run] of Object.entries(FUNCTIONS)) {
      targets.push({ name, run, inputs: [repeatTo("![](a"), repeatTo("!["), repeatTo("![]((", "]"), ...pumps("![]()")] });
    }
    for (const t of targets) {
      for (const input of t.inputs) {
        const ms = timeIt(t.run, input);
        if (ms > BUDGET_MS) {
          slow.push(`${t.name}: ${ms === Infinity ? "timed out" : `${ms.toFixed(0)} ms`} on ${JSON.stringify(input.slice(0, 12))}…`);
          break;
        }
      }
    }
    expect(targets.length).toBeGreaterThan(Object.keys(REQUEST_DATA).length);
    expect(slow).toEqual([]);
  }, 120_000);
});
