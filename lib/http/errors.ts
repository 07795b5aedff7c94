import { ZodError } from "zod";

/** A failure with an HTTP status; thrown from domain code and guards, mapped once by `errorToResponse`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const unauthorized = (message = "not authenticated") => new HttpError(401, message);
export const forbidden = (message = "not allowed") => new HttpError(403, message);
export const notFound = (what = "not found") => new HttpError(404, what);
export const conflict = (message: string) => new HttpError(409, message);
export const payloadTooLarge = (limit: number) => new HttpError(413, `request body is larger than ${limit} bytes`);
export const tooManyRequests = (retryAfterSeconds: number, message = "too many requests, try again later") =>
  new HttpError(429, message, { "Retry-After": String(retryAfterSeconds) });
export const unavailable = (message: string) =>
  new HttpError(503, message, { "Retry-After": String(DEPENDENCY_RETRY_AFTER_SECONDS) });

/** The infrastructure a request depends on; when one is down or too slow, the answer is 503 + Retry-After. */
export type Dependency = "database" | "redis";
/** How long a client should wait before retrying a 503: outages shorter than this are the common case. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;
// Symbol.for, not a class check: the database and the store are opened by one copy of these modules (Next loads
// server code more than once) and their errors are mapped by another.
const UNAVAILABLE = Symbol.for("tandem.dependencyUnavailable");

/** Brands an error as "dependency down / no answer in time" (mapped to 503); returns the same error. */
export function markUnavailable<E>(err: E, dependency: Dependency): E {
  if (typeof err === "object" && err !== null) (err as Record<symbol, unknown>)[UNAVAILABLE] = dependency;
  return err;
}

/** The dependency a branded error names, if any. */
export function unavailableDependency(err: unknown): Dependency | undefined {
  const d = typeof err === "object" && err !== null ? (err as Record<symbol, unknown>)[UNAVAILABLE] : undefined;
  return d === "database" || d === "redis" ? d : undefined;
}

export class DependencyUnavailableError extends Error {
  constructor(dependency: Dependency, message: string) {
    super(message);
    this.name = "DependencyUnavailableError";
    markUnavailable(this, dependency);
  }
}

/**
 * One log line for an error, without personal data: name, code and message, and the stack frames — never the
 * error's own properties (a driver error can carry the query's parameters, a row's values in `detail`...).
 * A "params:" tail in the message (drizzle's failed-query format) is cut off.
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return `non-error thrown: ${typeof err}`;
  const cut = (s: string) => s.replace(/\nparams:[\s\S]*$/, "");
  const code = (err as { code?: unknown }).code;
  const head = `${err.name}${typeof code === "string" || typeof code === "number" ? ` [${code}]` : ""}: ${cut(err.message)}`;
  const frames = (err.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l)).slice(0, 8);
  return [head, ...frames].join("\n");
}

const lastLogged = new Map<Dependency, number>();
const LOG_EVERY_MS = 10_000;

/** "questionnaire.role: Invalid option" — names the field that failed. */
export function describeZodError(err: ZodError): string {
  const issue = err.issues[0];
  if (!issue) return "invalid request body";
  const field = issue.path.join(".");
  return field ? `${field}: ${issue.message}` : issue.message;
}

export function errorToResponse(err: unknown): Response {
  const dependency = unavailableDependency(err);
  if (dependency) {
    // An outage fails every request the same way: one line per dependency per 10 s, not one per request.
    const now = Date.now();
    if (now - (lastLogged.get(dependency) ?? -Infinity) >= LOG_EVERY_MS) {
      lastLogged.set(dependency, now);
      console.error(`${dependency} unavailable, answering 503:`, describeError(err));
    }
    return Response.json(
      { error: `${dependency === "redis" ? "the shared store" : "the database"} is unavailable, try again shortly` },
      { status: 503, headers: { "Retry-After": String(DEPENDENCY_RETRY_AFTER_SECONDS) } },
    );
  }
  if (err instanceof HttpError) {
    return Response.json({ error: err.message }, { status: err.status, headers: err.headers });
  }
  if (err instanceof ZodError) {
    return Response.json({ error: describeZodError(err) }, { status: 400 });
  }
  console.error("unhandled error in route:", describeError(err));
  return Response.json({ error: "internal server error" }, { status: 500 });
}
