/**
 * A schedule in words for people ("Weekdays at 09:00"), from a 5-field cron. Covers the shapes people write; anything
 * else is "Custom schedule" (the page shows the cron beside it). Separate from `cadenceOf`, the telemetry label.
 */
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const SHORT = DAYS.map((d) => d.slice(0, 3));
const num = (s: string) => (/^\d+$/.test(s) ? Number(s) : null);
const pad = (n: number) => String(n).padStart(2, "0");

function days(dow: string): string | null {
  if (dow === "*") return "Every day";
  if (dow === "1-5" || dow === "MON-FRI" || dow === "mon-fri") return "Weekdays";
  const list = dow.split(",").map((d) => num(d));
  if (list.some((d) => d === null || d > 7)) return null;
  const set = [...new Set(list.map((d) => d! % 7))].sort();
  if (set.join(",") === "0,6") return "Weekends";
  if (set.length === 1) return `Every ${DAYS[set[0]!]}`;
  return set.map((d) => SHORT[d]).join(", ");
}

export function describeCron(cron: string): string {
  const f = cron.trim().split(/\s+/);
  if (f.length !== 5) return "Custom schedule";
  const [min, hour, dom, mon, dow] = f as [string, string, string, string, string];
  // A plain number out of its field's range is not a schedule at all (the server refuses it too).
  const outOfRange = (v: string, max: number, lowest = 0) => num(v) !== null && (num(v)! > max || num(v)! < lowest);
  if (outOfRange(min, 59) || outOfRange(hour, 23) || outOfRange(dom, 31, 1) || outOfRange(mon, 12, 1)) return "Not a valid schedule";
  const everyN = /^\*\/(\d+)$/;
  if (dom === "*" && mon === "*" && dow === "*") {
    if (min === "*" && hour === "*") return "Every minute";
    const mStep = everyN.exec(min);
    if (mStep && hour === "*") return `Every ${mStep[1]} minutes`;
    const hStep = everyN.exec(hour);
    if (num(min) !== null && hStep) return `Every ${hStep[1]} hours at :${pad(num(min)!)}`;
    if (num(min) !== null && hour === "*") return `Every hour at :${pad(num(min)!)}`;
  }
  const m = num(min);
  const h = num(hour);
  if (m === null || h === null || m > 59 || h > 23 || mon !== "*") return "Custom schedule";
  const at = `${pad(h)}:${pad(m)}`;
  if (dom === "*") {
    const d = days(dow);
    return d ? `${d} at ${at}` : "Custom schedule";
  }
  const day = num(dom);
  if (day !== null && dow === "*") return `Monthly on day ${day} at ${at}`;
  return "Custom schedule";
}

const SKIP_WORDS: Record<string, string> = {
  already_running: "an earlier run is still going",
  runtime_offline: "the agent has no runtime online",
  trigger_disabled: "the autopilot or its trigger is off",
};

/** Why a run was skipped, in words for people (the `skip_reason` value is the telemetry label). */
export function describeSkipReason(reason: string | null | undefined): string {
  if (!reason) return "skipped";
  return `skipped: ${SKIP_WORDS[reason] ?? reason.replaceAll("_", " ")}`;
}
