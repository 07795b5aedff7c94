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
export const unavailable = (message: string) => new HttpError(503, message);

/** "questionnaire.role: Invalid option" — names the field that failed. */
export function describeZodError(err: ZodError): string {
  const issue = err.issues[0];
  if (!issue) return "invalid request body";
  const field = issue.path.join(".");
  return field ? `${field}: ${issue.message}` : issue.message;
}

export function errorToResponse(err: unknown): Response {
  if (err instanceof HttpError) {
    return Response.json({ error: err.message }, { status: err.status, headers: err.headers });
  }
  if (err instanceof ZodError) {
    return Response.json({ error: describeZodError(err) }, { status: 400 });
  }
  console.error("unhandled error in route:", err);
  return Response.json({ error: "internal server error" }, { status: 500 });
}
