export type SecurityHeaderOptions = {
  /** Per-request nonce for pages; without one the response gets the no-document policy. */
  nonce?: string;
  /** Browser analytics host as `/api/config` hands it out: "" (off), "/ingest" (same origin) or an absolute URL. */
  analyticsHost?: string;
  /** APP_URL: HSTS and upgrade-insecure-requests only when it is https. */
  appUrl?: string;
  /** Development needs 'unsafe-eval' (React's error overlay rebuilds stacks with eval). */
  dev?: boolean;
};
export function analyticsOrigins(analyticsHost: string | undefined): string[];
export function contentSecurityPolicy(opts: SecurityHeaderOptions): string;
export function securityHeaders(opts: SecurityHeaderOptions): Record<string, string>;
export function newNonce(): string;
