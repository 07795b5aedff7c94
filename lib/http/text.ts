import { badRequest } from "./errors";

/**
 * Checks every string a request hands us before it can reach the database. PostgreSQL refuses NUL in text and lone
 * UTF-16 surrogates in jsonb, which surfaced as 500s (issue 11); both are refused here, once, as a 400 naming the
 * field: `readJson` (body), and `route()` (path params, query, headers) call these for every route.
 */
export function stringProblem(s: string): string | null {
  if (s.includes("\u0000")) return "must not contain NUL characters";
  if (!s.isWellFormed()) return "must be valid Unicode (lone surrogate)";
  return null;
}

export function assertCleanString(field: string, value: string): void {
  const problem = stringProblem(value);
  if (problem) throw badRequest(`${field}: ${problem}`);
}

/** Deeper than any real API body or webhook payload; keeps every later recursive walk (ours, zod's, stringify) safe. */
export const MAX_JSON_DEPTH = 64;

/**
 * Nesting depth of JSON text, counted without parsing or recursion (brackets inside strings do not count), so a
 * payload nested 5,000 deep is refused before anything recursive touches it.
 */
export function jsonDepthExceeds(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Every string (keys included) in a parsed JSON value; the depth was bounded before parsing. */
export function assertCleanJson(value: unknown, path = ""): void {
  const name = (p: string) => p || "body";
  if (typeof value === "string") return assertCleanString(name(path), value);
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertCleanJson(v, path ? `${path}.${i}` : String(i)));
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const keyProblem = stringProblem(k);
    if (keyProblem) throw badRequest(`${name(path)}: keys ${keyProblem}`);
    assertCleanJson(v, path ? `${path}.${k}` : k);
  }
}

/**
 * JSON.parse for request bodies: refuses too-deep nesting before parsing, then NUL and lone surrogates anywhere.
 * `invalid` is the message for text that is not JSON.
 */
export function parseJsonText(text: string, invalid = "invalid JSON body"): unknown {
  if (jsonDepthExceeds(text)) throw badRequest(`JSON is nested deeper than ${MAX_JSON_DEPTH} levels`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw badRequest(invalid);
  }
  assertCleanJson(data);
  return data;
}

/** Path params, query parameters and header values: the same string rules, named by where they came from. */
export function assertCleanRequest(req: Request, params: Record<string, string>): void {
  for (const [k, v] of Object.entries(params)) assertCleanString(`path ${k}`, v);
  for (const [k, v] of new URL(req.url).searchParams) {
    const keyProblem = stringProblem(k);
    if (keyProblem) throw badRequest(`query: parameter names ${keyProblem}`);
    assertCleanString(`query ${k}`, v);
  }
  for (const [k, v] of req.headers) assertCleanString(`header ${k}`, v);
}

/** `s` without its trailing slashes; a loop, since `/\/+$/` backtracks quadratically on many slashes then a mismatch. */
export function trimTrailingSlashes(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 47) end--;
  return s.slice(0, end);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in its canonical text form (any case): what an id column accepts without a cast error. */
export const isUuid = (s: string): boolean => UUID.test(s);
