/**
 * Analytics consent (ANALYTICS_CONSENT). The browser keeps the person's choice in a first-party cookie that holds
 * nothing but the choice (a strictly necessary cookie); a signed-in person's choice is also stored on the account,
 * so the server stops identifying them too. `implied` keeps today's behaviour unless the person refused.
 */
import type { ConsentState } from "./client";

export const CONSENT_COOKIE = "tandem_analytics_consent";
export const CONSENT_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

export type ConsentMode = "required" | "implied";
export type ConsentChoice = "granted" | "denied";

export function readConsentChoice(cookieHeader: string): ConsentChoice | null {
  for (const part of cookieHeader.split(";")) {
    const [name, value] = part.trim().split("=");
    if (name === CONSENT_COOKIE && (value === "granted" || value === "denied")) return value;
  }
  return null;
}

export function writeConsentChoice(doc: Document, choice: ConsentChoice): void {
  const secure = doc.location?.protocol === "https:" ? "; secure" : "";
  doc.cookie = `${CONSENT_COOKIE}=${choice}; path=/; max-age=${CONSENT_MAX_AGE_SECONDS}; samesite=lax${secure}`;
}

/** What posthog-js may do: before a choice under `required` nothing personal; a refusal is honoured in both modes. */
export function consentState(mode: ConsentMode, choice: ConsentChoice | null): ConsentState {
  if (choice) return choice;
  return mode === "required" ? "pending" : "granted";
}
