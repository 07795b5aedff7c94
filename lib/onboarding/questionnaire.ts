import { z } from "zod";

/** The v2 onboarding questionnaire (reference §10). Only the answers are persisted; the flow always restarts at Welcome. */
export const QUESTIONNAIRE_VERSION = 2;

export const SOURCES = [
  "friends_colleagues", "search", "social_x", "social_linkedin", "social_youtube", "social_github", "social_other",
  "blog_newsletter", "ai_assistant", "from_work", "event_conference", "dont_remember", "other",
] as const;
export const ROLES = ["engineer", "product", "designer", "founder", "marketing", "writer", "research", "ops", "student", "other"] as const;
export const USE_CASES = [
  "ship_code", "manage_team", "personal_tasks", "plan_research", "write_publish", "automate_ops", "evaluate", "other",
] as const;

export type Source = (typeof SOURCES)[number];
export type Role = (typeof ROLES)[number];
export type UseCase = (typeof USE_CASES)[number];

export const OTHER_TEXT_MAX = 200;

const otherText = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .trim()
    .max(OTHER_TEXT_MAX, `${field} is too long`)
    .nullable()
    .optional();

/** Old rows (and old clients) hold a bare string for the multi-value slots; read it as a one-element array. */
const oneOrMany = <T extends readonly [string, ...string[]]>(values: T, field: string, max: number = values.length) =>
  z.preprocess(
    (v) => (typeof v === "string" ? [v] : v),
    z
      .array(z.enum(values, { error: `${field} has an unknown value` }), { error: `${field} must be a list` })
      .max(max, max === 1 ? `${field} takes one answer` : `${field} has too many answers`),
  );

export const questionnaireSchema = z.object({
  source: oneOrMany(SOURCES, "source", 1).optional(), // single-select: a one-element array (reference §10)
  source_other: otherText("source_other"),
  source_skipped: z.boolean({ error: "source_skipped must be a boolean" }).optional(),
  role: z.enum(ROLES, { error: "role has an unknown value" }).nullable().optional(),
  role_other: otherText("role_other"),
  role_skipped: z.boolean({ error: "role_skipped must be a boolean" }).optional(),
  use_case: oneOrMany(USE_CASES, "use_case").optional(),
  use_case_other: otherText("use_case_other"),
  use_case_skipped: z.boolean({ error: "use_case_skipped must be a boolean" }).optional(),
  version: z
    .number({ error: "version must be a number" })
    .int("version must be 1 or 2")
    .min(1, "version must be 1 or 2")
    .max(QUESTIONNAIRE_VERSION, "version must be 1 or 2")
    .optional(),
});

export type Questionnaire = z.infer<typeof questionnaireSchema>;

/** `{}` (or nothing) means the user has not started. */
export function isQuestionnaireEmpty(q: Questionnaire | Record<string, unknown> | null | undefined): boolean {
  return !q || Object.keys(q).length === 0;
}

/** Complete when it is v2 and each of the three slots is answered or explicitly skipped. */
export function isQuestionnaireComplete(q: Questionnaire): boolean {
  if (q.version !== QUESTIONNAIRE_VERSION) return false;
  const source = (q.source?.length ?? 0) > 0 || q.source_skipped === true;
  const role = Boolean(q.role) || q.role_skipped === true;
  const useCase = (q.use_case?.length ?? 0) > 0 || q.use_case_skipped === true;
  return source && role && useCase;
}
