import { requiredString } from "@/lib/http/body";
import { patchBody } from "@/lib/http/body";
import { z } from "zod";

/** `[{event, actions?}]` (NULL or [] = every event). */
export const eventFiltersSchema = z
  .array(
    z.object({
      event: z.string({ error: "event_filters.event is required" }).trim().min(1, "event_filters.event is required").max(100),
      actions: z.array(z.string().trim().min(1).max(100)).max(20).optional(),
    }),
    { error: "event_filters must be a list of {event, actions?}" },
  )
  .max(20, "at most 20 event filters")
  .nullable();

export const webhookProviderSchema = z.enum(["generic", "github"], { error: "provider must be generic or github" });

/** A signing secret: empty clears it; otherwise at least 16 characters. */
export const signingSecretSchema = z
  .string({ error: "signing_secret must be a string" })
  .trim()
  .max(256, "signing_secret is too long")
  .refine((s) => s === "" || s.length >= 16, "signing_secret must be at least 16 characters");

/** Fields only one kind of trigger takes: sent with another kind they are a 400, not silently dropped (reference §6 tests). */
const KIND_FIELDS: Record<string, readonly string[]> = {
  manual: [],
  schedule: ["cron", "timezone"],
  webhook: ["provider", "event_filters", "signing_secret"],
};

function refuseOtherKindsFields(input: unknown, ctx: z.RefinementCtx): void {
  if (!input || typeof input !== "object" || Array.isArray(input)) return;
  const kind = (input as { kind?: unknown }).kind;
  if (typeof kind !== "string" || !(kind in KIND_FIELDS)) return; // the union names the problem
  for (const [other, fields] of Object.entries(KIND_FIELDS)) {
    if (other === kind) continue;
    for (const field of fields) {
      if (field in input) ctx.addIssue({ code: "custom", message: `${field} does not apply to a ${kind} trigger`, path: [field] });
    }
  }
}

const triggerVariants = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("manual"), enabled: z.boolean().optional() }),
    z.object({
      kind: z.literal("schedule"),
      cron: requiredString("cron").trim().min(1, "cron is required").max(100, "cron is too long"),
      timezone: z.string().trim().min(1).max(64).optional(),
      enabled: z.boolean().optional(),
    }),
    z.object({
      kind: z.literal("webhook"),
      enabled: z.boolean().optional(),
      provider: webhookProviderSchema.optional(),
      event_filters: eventFiltersSchema.optional(),
      signing_secret: signingSecretSchema.optional(),
    }),
  ],
  { error: "kind must be manual, schedule or webhook" },
);

export const triggerSchema = z.unknown().superRefine(refuseOtherKindsFields).pipe(triggerVariants);

export const triggerPatchSchema = patchBody({
  enabled: z.boolean({ error: "enabled must be a boolean" }).optional(),
  cron: z.string({ error: "cron must be a string" }).trim().min(1, "cron is required").max(100, "cron is too long").optional(),
  timezone: z.string({ error: "timezone must be a string" }).trim().min(1, "timezone is required").max(64, "timezone is too long").optional(),
  provider: webhookProviderSchema.optional(),
  event_filters: eventFiltersSchema.optional(),
});
