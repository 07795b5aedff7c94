import { describe, expect, it } from "vitest";
import { LOGIN_ERRORS, loginErrorMessage } from "./login-errors";

describe("login error codes", () => {
  it("known codes have their message; any other text shows nothing", () => {
    for (const [code, message] of Object.entries(LOGIN_ERRORS)) expect(loginErrorMessage(code)).toBe(message);
    for (const spoof of ["Your account is locked. Call +1 555 0100.", "toString", "__proto__", "constructor", "", undefined]) {
      expect(loginErrorMessage(spoof)).toBeUndefined();
    }
  });
});
