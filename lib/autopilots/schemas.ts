import { z } from "zod";

export const triggerSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("manual"), enabled: z.boolean().optional() }),
    z.object({
      kind: z.literal("schedule"),
      cron: z.string({ error: "cron is required" }).trim().min(1, "cron is required").max(100, "cron is too long"),
      timezone: z.string().trim().min(1).max(64).optional(),
      enabled: z.boolean().optional(),
    }),
    z.object({ kind: z.literal("webhook"), enabled: z.boolean().optional() }),
  ],
  { error: "kind must be manual, schedule or webhook" },
);
