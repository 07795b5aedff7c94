/**
 * The allow-list of every label of every `tandem_*` family (TELEMETRY.md §5), and a check of a registry dump against
 * it: used by the cardinality test and the API fuzz ("no label outside its bound").
 */
import type { MetricObjectWithValues, MetricValue } from "prom-client";
import * as L from "@/lib/telemetry/labels";
import { ANALYTICS_OUTCOMES, ERASURE_RESULTS, INGEST_PROXY_ERRORS, allowedModelAliases } from "@/lib/telemetry/metrics";
import { PRICING } from "@/lib/telemetry/pricing";

const set = (xs: readonly string[]) => new Set<string>(xs);
const vendors = [...new Set(Object.keys(PRICING).map((k) => k.split(":")[0]))];
const models = [...Object.keys(PRICING).map((k) => k.split(":")[1]), "unknown"];

/** The allowed values of a label of a family; null = checked elsewhere (histogram `le`, build info). */
export function allowed(family: string, label: string): Set<string> | null {
  const f = family.replace(/^tandem_/, "");
  switch (label) {
    case "le":
    case "version":
    case "commit":
    case "route":
      return null;
    case "signup_source":
      return set(L.SIGNUP_SOURCES);
    case "outcome":
      return set(L.LOGIN_OUTCOMES);
    case "source":
      return f === "contact_sales_submitted_total" ? set(L.CONTACT_SALES_SOURCES) : set(L.TASK_SOURCES);
    case "platform":
      return set(L.PLATFORMS);
    case "path":
      return set(L.ONBOARDING_PATHS);
    case "kind":
      if (f === "analytics_proxy_errors_total") return set(INGEST_PROXY_ERRORS);
      return f === "daemon_message_received_total" ? set(L.DAEMON_MESSAGE_KINDS) : set(L.FEEDBACK_KINDS);
    case "runtime_mode":
      return set(L.RUNTIME_MODES);
    case "provider":
      if (f === "webhook_delivery_total") return set(L.WEBHOOK_PROVIDERS);
      return set([...L.RUNTIME_PROVIDERS, ...vendors]);
    case "model":
      return set(models);
    case "model_alias":
      return set([...allowedModelAliases(), "other", "unknown"]);
    case "cadence":
      return set(L.AUTOPILOT_CADENCES);
    case "trigger_kind":
      return set(L.AUTOPILOT_TRIGGERS);
    case "terminal_status":
      return set(L.TERMINAL_STATUSES);
    case "reason":
      return set(L.AUTOPILOT_SKIP_REASONS);
    case "failure_reason":
      return set(L.FAILURE_REASONS);
    case "recoverable":
      return set(["true", "false"]);
    case "status":
      if (f === "webhook_delivery_total") return set(L.WEBHOOK_DELIVERY_STATUSES);
      if (f === "cloudruntime_request_total") return set(L.CLOUDRUNTIME_STATUSES);
      if (f === "business_orders_total") return set(L.ORDER_STATUSES);
      return set(Array.from({ length: 500 }, (_, i) => String(100 + i)).concat("0"));
    case "method":
      return set([...L.HTTP_METHODS, "OTHER"]);
    case "result":
      if (f === "analytics_erasures_total") return set(ERASURE_RESULTS);
      return f === "github_pr_review_total" ? set(L.GITHUB_PR_REVIEW_RESULTS) : set(ANALYTICS_OUTCOMES);
    case "token_type":
      return set(L.TOKEN_TYPES);
    case "currency":
      return set([...L.DEFAULT_CURRENCIES, "other"]);
    case "op":
      return set(L.CLOUDRUNTIME_OPS);
    case "event_kind":
      return set(L.GITHUB_EVENT_KINDS);
    case "action":
      return set([...L.GITHUB_ACTIONS, "none"]);
    default:
      throw new Error(`no allow-list known for ${family}{${label}}`);
  }
}

/** Label values outside their allow-list, and families with more distinct values than the list allows. */
export function labelOffences(metrics: MetricObjectWithValues<MetricValue<string>>[]): { offences: string[]; series: number } {
  const offences: string[] = [];
  let series = 0;
  for (const m of metrics) {
    if (!m.name.startsWith("tandem_")) continue;
    const distinct = new Map<string, Set<string>>();
    for (const v of m.values) {
      series++;
      for (const [label, value] of Object.entries(v.labels ?? {})) {
        const ok = allowed(m.name, label);
        if (label === "route" && !/^\/api(\/([a-z0-9_-]+|\[\[?(\.\.\.)?[a-zA-Z]+\]\]?))*$/.test(String(value))) offences.push(`${m.name}{route="${value}"}`);
        if (!ok) continue;
        if (!ok.has(String(value))) offences.push(`${m.name}{${label}="${String(value).slice(0, 40)}"}`);
        (distinct.get(label) ?? distinct.set(label, new Set()).get(label)!).add(String(value));
      }
    }
    for (const [label, values] of distinct) {
      const bound = allowed(m.name, label)!.size;
      if (values.size > bound) offences.push(`${m.name}{${label}}: ${values.size} values > ${bound}`);
    }
  }
  return { offences, series };
}
