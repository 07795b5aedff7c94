/**
 * The capture stand-in in a process of its own for the HTTP bench (PostHog is remote in production: its parsing
 * must not take CPU from the load generator). Prints its URL; answers "count" with the events it accepted.
 */
import { startCaptureServer } from "../tests/helpers/capture-server";

const capture = await startCaptureServer({ keepBodies: false });
process.send!({ url: capture.url });
process.on("message", (m) => {
  if (m === "count") process.send!({ count: capture.acceptedEvents().filter((e) => e.event === "feedback_submitted").length });
  if (m === "stop") void capture.stop().then(() => process.exit(0));
});
