/** Reading the shipped rule files and rule tests (YAML) for the checks promtool cannot make. */
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { PROM_DIR } from "./promtool";

export type Rule = { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
type RuleFile = { groups: { name: string; interval?: string; rules: Rule[] }[] };
type AlertTest = { alertname: string; eval_time: string; exp_alerts?: unknown[] };
type TestFile = { rule_files: string[]; tests: { alert_rule_test?: AlertTest[] }[] };

const yamlIn = (dir: string) =>
  fs
    .readdirSync(path.join(PROM_DIR, dir))
    .filter((f) => f.endsWith(".yml"))
    .sort()
    .map((f) => path.join(PROM_DIR, dir, f));

export const ruleFiles = () => yamlIn("rules");
export const ruleTestFiles = () => yamlIn("tests");

export function rules(): Rule[] {
  return ruleFiles().flatMap((f) => (parse(fs.readFileSync(f, "utf8")) as RuleFile).groups.flatMap((g) => g.rules));
}

export const alertRules = () => rules().filter((r) => r.alert);
export const recordingRules = () => rules().filter((r) => r.record);

export function alertTests(): AlertTest[] {
  return ruleTestFiles().flatMap((f) => ((parse(fs.readFileSync(f, "utf8")) as TestFile).tests ?? []).flatMap((t) => t.alert_rule_test ?? []));
}
