import { describe, expect, it } from "vitest";
import { fieldError } from "./Field";

describe("fieldError", () => {
  it("puts a named field's message under that field, capitalised", () => {
    expect(fieldError("title: title must not be empty", ["title", "description"])).toEqual({ field: "title", message: "Title must not be empty" });
  });

  it("reads a list index in the path as the field the form shows once", () => {
    const fields = ["name", "triggers.cron"] as const;
    expect(fieldError("triggers.0.cron: expected 5 fields (minute hour day month weekday)", fields)).toEqual({
      field: "triggers.cron",
      message: "Expected 5 fields (minute hour day month weekday)",
    });
    expect(fieldError("triggers.cron: expected 5 fields", fields)?.field).toBe("triggers.cron");
  });

  it("keeps anything else whole, as a form-level error", () => {
    expect(fieldError("too many requests, try again later", ["title"])).toEqual({ field: null, message: "too many requests, try again later" });
    expect(fieldError("owner_id: not yours", ["title"])).toEqual({ field: null, message: "owner_id: not yours" });
    expect(fieldError(null, ["title"])).toBeNull();
  });
});
