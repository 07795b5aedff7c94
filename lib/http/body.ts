import type { z } from "zod";
import { badRequest, describeZodError, payloadTooLarge } from "./errors";

export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** Reads the raw body, refusing more than `limit` bytes without buffering the excess. */
export async function readBytes(req: Request, limit = DEFAULT_BODY_LIMIT): Promise<Buffer> {
  const declared = Number(req.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > limit) throw payloadTooLarge(limit);
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw payloadTooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export async function readText(req: Request, limit = DEFAULT_BODY_LIMIT): Promise<string> {
  return new TextDecoder("utf-8", { fatal: false }).decode(await readBytes(req, limit));
}

/**
 * Parses a JSON body against a zod schema. An empty body is read as `{}` so optional-only bodies may be omitted.
 * Unknown fields are stripped (zod's default), consistently on every route.
 */
export async function readJson<S extends z.ZodType>(
  req: Request,
  schema: S,
  limit = DEFAULT_BODY_LIMIT,
): Promise<z.infer<S>> {
  const text = await readText(req, limit);
  let data: unknown = {};
  if (text.trim() !== "") {
    try {
      data = JSON.parse(text);
    } catch {
      throw badRequest("invalid JSON body");
    }
  }
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
