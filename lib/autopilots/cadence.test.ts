import { describe, expect, it } from "vitest";
import { cadenceOf, nextRunAfter, scheduleError } from "./cadence";

const from = new Date("2026-03-02T10:00:00Z");

describe("cadenceOf", () => {
  it.each([
    ["0 * * * *", "hourly"],
    ["*/15 * * * *", "hourly"],
    ["30 9 * * *", "daily"],
    ["0 9 * * 1-5", "daily"],
    ["0 9 * * 1", "weekly"],
    ["0 0 1 * *", "monthly"],
    ["0 0 1 1 *", "unknown"],
  ])("%s → %s", (cron, cadence) => {
    expect(cadenceOf(cron, "UTC", from)).toBe(cadence);
  });

  it("stays daily across a DST change", () => {
    expect(cadenceOf("0 2 * * *", "Europe/Paris", new Date("2026-03-27T00:00:00Z"))).toBe("daily");
  });
});

describe("scheduleError", () => {
  it("accepts a 5-field cron in a real time zone", () => {
    expect(scheduleError("0 9 * * 1-5", "Europe/Paris")).toBeNull();
  });
  it("names the bad field", () => {
    expect(scheduleError("0 9 * *", "UTC")).toMatch(/^cron:/);
    expect(scheduleError("0 0 9 * * *", "UTC")).toMatch(/^cron:/);
    expect(scheduleError("99 9 * * *", "UTC")).toBe("cron: invalid value for minute: 99"); // not the library's "CronPattern:"
    expect(scheduleError("0 9 * * *", "Mars/Olympus")).toMatch(/^timezone:/);
  });
});

describe("nextRunAfter", () => {
  it("computes slots in the schedule's time zone", () => {
    // 09:00 in Paris is 08:00 UTC in winter.
    expect(nextRunAfter("0 9 * * *", "Europe/Paris", from)?.toISOString()).toBe("2026-03-03T08:00:00.000Z");
  });
  it("is strictly after the given instant", () => {
    const slot = new Date("2026-03-02T11:00:00Z");
    expect(nextRunAfter("0 * * * *", "UTC", slot)?.toISOString()).toBe("2026-03-02T12:00:00.000Z");
  });
});
