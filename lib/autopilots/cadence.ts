import { Cron } from "croner";

export type Cadence = "hourly" | "daily" | "weekly" | "monthly" | "manual" | "webhook" | "unknown";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function isTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * A validated 5-field cron expression (minute hour day-of-month month day-of-week) in an IANA timezone.
 * Returns the message of what is wrong, or null. Seconds fields and nicknames are refused: slots are per minute.
 */
export function scheduleError(cron: string, timezone: string): string | null {
  if (!isTimezone(timezone)) return "timezone: unknown time zone";
  if (cron.trim().split(/\s+/).length !== 5) return "cron: expected 5 fields (minute hour day month weekday)";
  try {
    const job = new Cron(cron, { timezone, paused: true });
    if (!job.nextRun()) return "cron: never fires";
  } catch (err) {
    // croner's "CronPattern: Invalid value for minute: 61" → "cron: invalid value for minute: 61".
    const message = (err as Error).message.replace(/^CronPattern:\s*/, "");
    return `cron: ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
  }
  return null;
}

/** The first slot strictly after `from`, in the schedule's timezone. */
export function nextRunAfter(cron: string, timezone: string, from: Date): Date | null {
  return new Cron(cron, { timezone, paused: true }).nextRun(from);
}

/**
 * The cadence label of a schedule, from the shortest gap between its next slots: "0 9 * * 1-5" is daily,
 * "*\/15 * * * *" hourly, "0 0 1 * *" monthly; anything rarer than monthly is unknown.
 */
export function cadenceOf(cron: string, timezone: string, from = new Date()): Cadence {
  const runs = new Cron(cron, { timezone, paused: true }).nextRuns(8, from);
  if (runs.length < 2) return "unknown";
  let gap = Infinity;
  for (let i = 1; i < runs.length; i++) gap = Math.min(gap, runs[i]!.getTime() - runs[i - 1]!.getTime());
  // Allow for DST shifts of an hour.
  if (gap <= HOUR) return "hourly";
  if (gap <= DAY + HOUR) return "daily";
  if (gap <= 7 * DAY + HOUR) return "weekly";
  if (gap <= 31 * DAY + HOUR) return "monthly";
  return "unknown";
}
