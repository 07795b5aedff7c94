import { describe, expect, it } from "vitest";
import { describeCron, describeSkipReason } from "./describe";

describe("describeCron", () => {
  it.each([
    ["0 9 * * 1-5", "Weekdays at 09:00"],
    ["30 8 * * *", "Every day at 08:30"],
    ["0 10 * * 1", "Every Monday at 10:00"],
    ["0 10 * * 0,6", "Weekends at 10:00"],
    ["0 10 * * 1,3,5", "Mon, Wed, Fri at 10:00"],
    ["*/15 * * * *", "Every 15 minutes"],
    ["5 * * * *", "Every hour at :05"],
    ["0 */6 * * *", "Every 6 hours at :00"],
    ["0 7 1 * *", "Monthly on day 1 at 07:00"],
    ["0 7 1 1 *", "Custom schedule"],
    ["nonsense", "Custom schedule"],
  ])("%s → %s", (cron, words) => {
    expect(describeCron(cron)).toBe(words);
  });
});

describe("describeCron out of range", () => {
  it("says a number beyond its field is not a schedule", () => {
    for (const cron of ["61 * * * *", "0 24 * * *", "0 9 0 * *", "0 9 * 13 *"]) expect(describeCron(cron)).toBe("Not a valid schedule");
    expect(describeCron("59 23 31 12 *")).not.toBe("Not a valid schedule");
  });
});

describe("describeSkipReason", () => {
  it("says why in words, and falls back to the reason's own words", () => {
    expect(describeSkipReason("runtime_offline")).toBe("skipped: the agent has no runtime online");
    expect(describeSkipReason("already_running")).toBe("skipped: an earlier run is still going");
    expect(describeSkipReason("max_concurrency")).toBe("skipped: max concurrency");
    expect(describeSkipReason(null)).toBe("skipped");
  });
});
