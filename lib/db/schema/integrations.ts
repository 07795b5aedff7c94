import { pgTable, text } from "drizzle-orm/pg-core";
import { ts } from "./columns";

/**
 * Stripe events already counted (idempotency per Stripe event id): the insert that wins counts the event into the
 * business metrics; a redelivery finds the row and counts nothing.
 */
export const stripeEvents = pgTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  receivedAt: ts("received_at").notNull().defaultNow(),
});
