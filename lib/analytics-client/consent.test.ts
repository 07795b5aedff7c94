import { describe, expect, it } from "vitest";
import { consentState, readConsentChoice } from "./consent";

describe("consent", () => {
  it("reads only a valid choice from the cookie header", () => {
    expect(readConsentChoice("a=1; tandem_analytics_consent=denied; b=2")).toBe("denied");
    expect(readConsentChoice("tandem_analytics_consent=granted")).toBe("granted");
    expect(readConsentChoice("tandem_analytics_consent=maybe")).toBeNull();
    expect(readConsentChoice("")).toBeNull();
  });

  it("required waits for a choice; implied is granted unless refused", () => {
    expect(consentState("required", null)).toBe("pending");
    expect(consentState("required", "granted")).toBe("granted");
    expect(consentState("implied", null)).toBe("granted");
    expect(consentState("implied", "denied")).toBe("denied");
  });
});
