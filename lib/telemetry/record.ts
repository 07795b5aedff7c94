import type { AnalyticsEvent } from "./events";

/** The single emitter: hands the event to the sink and increments its paired metrics. (Skeleton.) */
export function recordEvent(_event: AnalyticsEvent): void {}
