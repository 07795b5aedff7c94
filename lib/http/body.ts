import { z } from "zod";
import { badRequest, describeZodError, HttpError, payloadTooLarge } from "./errors";
import { parseJsonText } from "./text";

export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** Reads the raw body, refusing more than `limit` bytes without buffering the excess. */
export async function readBytes(req: Request, limit = DEFAULT_BODY_LIMIT): Promise<Buffer> {
  const declared = Number(req.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > limit) {
    if (req.body) void discard(req.body.getReader());
    throw payloadTooLarge(limit);
  }
  try {
    return await readStreamCapped(req.body, limit, () => payloadTooLarge(limit), { discardRest: true });
  } catch (err) {
    if (err instanceof HttpError) throw err;
    // The client went away half-way (ECONNRESET, aborted): its request is incomplete, not our failure, so it is no
    // 500 in the metrics or the error log. Nobody reads this answer.
    throw badRequest("the request body was cut off before its end");
  }
}

/** How much of a refused body's remainder is read and dropped (not kept) so its connection can serve another request. */
const DISCARD_MAX_BYTES = 1024 * 1024;

/**
 * A body stream read whole; once it passes `limit` bytes, `tooLarge()` is thrown at once and the stream cancelled.
 * `discardRest` (a request's body): the rest is read and dropped in the background instead, up to DISCARD_MAX_BYTES,
 * because cancelling a request body stops the socket's parser in the middle of it and the keep-alive connection
 * would be stuck (server.mjs closes a connection whose body never ends).
 */
export async function readStreamCapped(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  tooLarge: () => Error,
  { discardRest = false } = {},
): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      if (discardRest) void discard(reader);
      else await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

async function discard(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let dropped = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      dropped += value.byteLength;
      if (dropped > DISCARD_MAX_BYTES) break;
    }
  } catch {
    return; // the connection went away
  }
  await reader.cancel().catch(() => {});
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The body as text; bytes that are not UTF-8 (a lone surrogate's CESU bytes, 0xFF, overlong forms) are a 400, not U+FFFD. */
export async function readText(req: Request, limit = DEFAULT_BODY_LIMIT): Promise<string> {
  const bytes = await readBytes(req, limit);
  try {
    return utf8.decode(bytes);
  } catch {
    throw badRequest("request body is not valid UTF-8");
  }
}

/**
 * Parses a JSON body against a zod schema. An empty body is read as `{}` so optional-only bodies may be omitted.
 * Unknown fields are stripped (zod's default), consistently on every route. Too-deep nesting, NUL characters and
 * lone surrogates anywhere in the body are a 400 naming the field (`parseJsonText`).
 */
export async function readJson<S extends z.ZodType>(
  req: Request,
  schema: S,
  limit = DEFAULT_BODY_LIMIT,
): Promise<z.infer<S>> {
  const text = await readText(req, limit);
  const data: unknown = text.trim() === "" ? {} : parseJsonText(text);
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw badRequest(describeZodError(parsed.error));
  return parsed.data;
}

/** Parses the query string against a zod schema (values are strings; use `z.coerce` for numbers). */
export function readQuery<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw badRequest(describeZodError(parsed.error));
  return parsed.data;
}

/**
 * The body of a PATCH: an object of optional fields of which at least one must be present. `{}` or only unknown keys
 * (stripped by zod) would otherwise reach an UPDATE with nothing to set — drizzle throws "No values to set", a 500
 * (issue 11) — or silently change nothing; either way the client deserves a 400 that says what it could send.
 */
/**
 * A required string field: a missing one "is required", one of another type "must be a string" (zod's one message
 * for both read `{"email": 123}` as missing).
 */
export function requiredString(field: string) {
  return z.string({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`) });
}

export function patchBody<S extends z.ZodRawShape>(shape: S) {
  const fields = Object.keys(shape);
  return z.object(shape).refine((v) => fields.some((f) => (v as Record<string, unknown>)[f] !== undefined), {
    message: `nothing to update: send at least one of ${fields.join(", ")}`,
  });
}
