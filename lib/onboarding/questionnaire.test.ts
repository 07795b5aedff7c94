import { describe, expect, it } from "vitest";
import { isQuestionnaireComplete, isQuestionnaireEmpty, questionnaireSchema } from "./questionnaire";

const parse = (v: unknown) => questionnaireSchema.parse(v);

describe("questionnaire v2", () => {
  it("is complete only for version 2 with each slot answered or skipped", () => {
    const answered = { source: ["search"], role: "engineer", use_case: ["ship_code"] };
    expect(isQuestionnaireComplete(parse({ ...answered, version: 2 }))).toBe(true);
    expect(isQuestionnaireComplete(parse({ ...answered, version: 1 }))).toBe(false);
    expect(isQuestionnaireComplete(parse(answered))).toBe(false);
    expect(isQuestionnaireComplete(parse({ source_skipped: true, role_skipped: true, use_case_skipped: true, version: 2 }))).toBe(true);
    expect(isQuestionnaireComplete(parse({ ...answered, use_case: [], version: 2 }))).toBe(false);
    expect(isQuestionnaireComplete(parse({ ...answered, role: null, version: 2 }))).toBe(false);
    expect(isQuestionnaireComplete(parse({ ...answered, source: [], source_skipped: false, version: 2 }))).toBe(false);
  });

  it("reads bare strings as one-element lists and drops unknown keys", () => {
    expect(parse({ source: "search", use_case: "evaluate", team_size: "1-10" })).toEqual({ source: ["search"], use_case: ["evaluate"] });
  });

  it("treats {} (after unknown keys are dropped) as not started", () => {
    expect(isQuestionnaireEmpty(parse({}))).toBe(true);
    expect(isQuestionnaireEmpty(parse({ team_size: "1-10" }))).toBe(true);
    expect(isQuestionnaireEmpty(parse({ role_skipped: true }))).toBe(false);
  });

  it("rejects values outside the v2 lists", () => {
    expect(questionnaireSchema.safeParse({ role: "developer" }).success).toBe(false);
    expect(questionnaireSchema.safeParse({ use_case: ["coding"] }).success).toBe(false);
  });

  it("source is single-select; version is 1 or 2; use_case takes several answers", () => {
    const error = (v: unknown) => questionnaireSchema.safeParse(v).error?.issues[0]?.message;
    expect(error({ source: ["search", "other"] })).toBe("source takes one answer");
    for (const version of [-1, 0, 3, 1.5]) expect(error({ version })).toBe("version must be 1 or 2");
    expect(parse({ version: 1 }).version).toBe(1);
    expect(parse({ use_case: ["ship_code", "evaluate"] }).use_case).toEqual(["ship_code", "evaluate"]);
  });
});
