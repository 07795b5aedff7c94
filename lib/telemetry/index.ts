export { events, type AnalyticsEvent } from "./events";
export { recordEvent } from "./record";
