import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EVENTS_DOC_PATH, renderEventsDoc } from "@/scripts/gen-events-doc";
import { EVENT_NAMES } from "@/lib/telemetry/events";

describe("docs/events.md", () => {
  it("is up to date with the catalog (run `npm run docs:events`)", () => {
    expect(readFileSync(EVENTS_DOC_PATH, "utf8")).toBe(renderEventsDoc());
  });

  it("lists every catalog event", () => {
    const doc = renderEventsDoc();
    for (const name of EVENT_NAMES) expect(doc).toContain(`| \`${name}\` |`);
  });
});
