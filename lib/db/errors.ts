import { markUnavailable, unavailableDependency } from "@/lib/http/errors";

/**
 * A failed query as the app sees and logs it: the query's name (verb + table), the SQLSTATE and a message whose
 * literal values are cut out. Never the parameters, nor PostgreSQL's `detail` (`Key (email)=(...)`), nor the raw
 * driver error (postgres.js keeps the parameters on it): issue titles, chat text and token hashes stay out of logs.
 */
export class DatabaseError extends Error {
  override name = "DatabaseError";
  constructor(
    /** "insert into chat_messages", "select from issues", "update issues": what failed, never with what. */
    readonly query: string,
    /** SQLSTATE (`23505`) or the driver's code (`CONNECT_TIMEOUT`, `ECONNREFUSED`). */
    readonly code: string | undefined,
    message: string,
    readonly constraint?: string,
    readonly table?: string,
  ) {
    super(`${query} failed: ${message}`);
  }
}

/** What a statement does, from its SQL text: the verb and the first table it names. */
export function queryName(sqlText: string): string {
  const s = sqlText.replace(/\s+/g, " ").trim();
  const verb = /^\(?\s*([a-z]+)/i.exec(s)?.[1]?.toLowerCase() ?? "query";
  const table = /\b(?:from|into|update|join)\s+"?([a-z_][\w$]*)"?(?:\."?([a-z_][\w$]*)"?)?/i.exec(s);
  const name = table ? (table[2] ?? table[1]) : undefined;
  if (!name) return verb;
  const preposition = verb === "insert" ? " into" : verb === "update" ? "" : " from";
  return `${verb}${preposition} ${name}`;
}

/** PostgreSQL quotes the offending value after a colon (`invalid input syntax for type uuid: "..."`): cut it out. */
export function redactMessage(message: string): string {
  return message
    .split("\n")[0]!
    .replace(/:\s*".*"/g, ': "…"')
    .replace(/:\s*0x[0-9a-f ]+/gi, ": 0x…")
    .slice(0, 300);
}

// Driver / socket codes meaning "no usable connection" (postgres.js and node:net).
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** The connection itself failed (reset, refused, closed, server shutting down): the path may be broken. */
export function isConnectionCode(code: string | undefined): boolean {
  if (!code) return false;
  return CONNECTION_CODES.has(code) || code.startsWith("08") || ["57P01", "57P02", "57P03"].includes(code);
}

/**
 * Errors that mean the database is down, unreachable or too slow right now — the request may succeed if retried:
 * connection failures, class 08 (connection exception), 57014 (statement timeout), 57P01–57P05 (shutdown, cannot
 * connect now), 53300 (too many connections), 55P03 (lock timeout).
 */
export function isUnavailableCode(code: string | undefined): boolean {
  if (!code) return false;
  return isConnectionCode(code) || code.startsWith("57") || code === "53300" || code === "55P03";
}

type DriverError = Error & {
  code?: unknown;
  errno?: unknown;
  constraint_name?: unknown;
  constraint?: unknown;
  table_name?: unknown;
  table?: unknown;
};

/** Turns whatever a query threw (drizzle's DrizzleQueryError wrapping a driver error) into a DatabaseError. */
export function toDatabaseError(thrown: unknown, sqlText: string): Error {
  if (thrown instanceof DatabaseError || (thrown as Error)?.name === "DatabaseError") return thrown as Error;
  // drizzle wraps the driver's error as `cause`; its own message is "Failed query: ...\nparams: ...".
  const inner = ((thrown as { cause?: unknown })?.cause ?? thrown) as DriverError;
  const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  const code = str(inner?.code) ?? str(inner?.errno);
  const message = inner instanceof Error ? redactMessage(inner.message) : "unknown error";
  const err = new DatabaseError(
    queryName(sqlText),
    code,
    message,
    str(inner?.constraint_name) ?? str(inner?.constraint),
    str(inner?.table_name) ?? str(inner?.table),
  );
  // A deadline or breaker error from the guard (lib/db/guard.ts) keeps its brand through drizzle's wrapping.
  if (isUnavailableCode(code) || unavailableDependency(inner) || unavailableDependency(thrown)) markUnavailable(err, "database");
  return err;
}
