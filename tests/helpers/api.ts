/**
 * Calls route handlers in-process with real Request objects, and signs users in through the real
 * send-code → verify-code flow (the code is read from the mail the server prints without SMTP).
 */
import { randomBytes } from "node:crypto";
import { vi } from "vitest";
import { POST as sendCode } from "@/app/api/auth/send-code/route";
import { POST as verifyCode } from "@/app/api/auth/verify-code/route";

export const ORIGIN = "http://localhost";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

export type CallOptions = {
  method?: string;
  path?: string;
  body?: unknown;
  rawBody?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  session?: Session;
  /** Omit the Origin header (CSRF tests). */
  noOrigin?: boolean;
};

export type CallResult<T = any> = { status: number; body: T; headers: Headers };

export async function call<T = any>(handler: Handler, opts: CallOptions = {}): Promise<CallResult<T>> {
  const method = opts.method ?? (opts.body !== undefined || opts.rawBody !== undefined ? "POST" : "GET");
  const headers = new Headers(opts.headers);
  if (opts.body !== undefined) headers.set("content-type", "application/json");
  if (!opts.noOrigin && !headers.has("origin")) headers.set("origin", ORIGIN);
  if (!headers.has("host")) headers.set("host", "localhost");
  if (opts.session) {
    if (opts.session.token) headers.set("authorization", `Bearer ${opts.session.token}`);
    else headers.set("cookie", [headers.get("cookie"), `tandem_session=${opts.session.cookie}`].filter(Boolean).join("; "));
  }
  const req = new Request(`${ORIGIN}${opts.path ?? "/"}`, {
    method,
    headers,
    body: opts.rawBody ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined),
  });
  const res = await handler(req, { params: Promise.resolve(opts.params ?? {}) });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* non-JSON body (metrics text) stays a string */
  }
  return { status: res.status, body, headers: res.headers };
}

// ---- mail capture: the server prints mails to the log when SMTP is not configured ----
const mails: string[] = [];
let spying = false;
function captureMail() {
  if (spying) return;
  spying = true;
  const original = console.log.bind(console);
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    const line = args.map(String).join(" ");
    if (line.startsWith("[mail]")) mails.push(line);
    else original(...args);
  });
}

/** The last mail sent to this address, as printed by the server. */
export function lastMailTo(email: string): string | undefined {
  return mails.filter((m) => m.includes(`to=${email} `)).at(-1);
}

export function lastCodeFor(email: string): string {
  const mail = lastMailTo(email);
  const code = mail && /code is (\d{6})/.exec(mail)?.[1];
  if (!code) throw new Error(`no code was mailed to ${email}`);
  return code;
}

export type Session = { user: { id: string; email: string }; cookie?: string; token?: string };

export const uniqueEmail = (tag = "user", domain = "example.com") => `${tag}-${randomBytes(4).toString("hex")}@${domain}`;

export async function requestCode(email: string, headers?: Record<string, string>) {
  captureMail();
  return call(sendCode, { path: "/api/auth/send-code", body: { email }, headers });
}

/** Signs in (signing up on first use) through the real code flow and returns the session cookie. */
export async function signIn(email = uniqueEmail(), headers?: Record<string, string>): Promise<Session & { isNew: boolean }> {
  const sent = await requestCode(email, headers);
  if (sent.status !== 200) throw new Error(`send-code failed: ${sent.status} ${JSON.stringify(sent.body)}`);
  const res = await call(verifyCode, { path: "/api/auth/verify-code", body: { email, code: lastCodeFor(email) }, headers });
  if (res.status !== 200) throw new Error(`verify-code failed: ${res.status} ${JSON.stringify(res.body)}`);
  const cookie = /tandem_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  return { user: res.body.user, cookie, isNew: res.body.is_new };
}
