import { entityKind, is, sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import type { Db, Tx } from "./client";
import { toDatabaseError } from "./errors";

type PgJsQuery = Promise<unknown> & { execute(): PgJsQuery };
type PgJsSession = { client?: { unsafe(text: string): PgJsQuery } };
type PgliteSession = { client?: { exec(text: string): Promise<unknown> } };
const sessionOf = <S>(db: Db | Tx) => (db as unknown as { session?: S & { constructor: { [entityKind]?: string } } }).session;

/** A handle on which `transaction()` opens a transaction of its own (not a savepoint inside another). */
export const isTopLevel = (db: Db | Tx): boolean => !is(db, PgTransaction);

/**
 * A string as a PostgreSQL literal, for `sendWithCommit`'s statements (which cannot take parameters, see there):
 * an escape string `E'…'` with quotes and backslashes doubled, which reads the same whatever
 * `standard_conforming_strings` says (what libpq's PQescapeLiteral does). `null` → `null`. A NUL character cannot
 * be stored in PostgreSQL text: refused here, as the server refuses it as a parameter.
 */
export function sqlLiteral(value: string | null): string {
  if (value === null) return "null";
  if (value.includes("\0")) throw new Error("sqlLiteral: a NUL character cannot be stored in PostgreSQL text");
  return `E'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

/**
 * On PostgreSQL, hands the transaction's last statement to its connection at once, so that it leaves with the
 * COMMIT that follows and costs no round trip of its own (issue 15: round trips are most of what an extra statement
 * costs the app process). Returns the statement's outcome, or `undefined` where there is nothing to gain (PGlite runs
 * in the process: await the statement as usual).
 *
 * The caller returns from the transaction's body without awaiting it and awaits it after the transaction. The
 * statement runs before the COMMIT on the same connection; if it failed, PostgreSQL aborted the transaction and
 * answered the COMMIT with a ROLLBACK, which postgres.js resolves like a commit: a rejection here means nothing
 * committed. Only for a top-level transaction (`isTopLevel`): a savepoint's release is not a commit.
 *
 * `text` carries its values as literals (`sqlLiteral`), with no parameters: for a statement with parameters that is
 * not prepared, postgres.js first asks the server for their types (a round trip the COMMIT would wait behind), and a
 * prepared statement that fails on a stale plan is re-sent by postgres.js itself, after the COMMIT, outside the
 * transaction. No deadline of its own: the COMMIT behind it has the guard's (guard.ts); a failure is reported by the
 * query's name, never its text (errors.ts).
 */
export function sendWithCommit(tx: Tx, text: string): Promise<void> | undefined {
  const session = sessionOf<PgJsSession>(tx);
  if (session?.constructor[entityKind] !== "PostgresJsSession" || !session.client) return undefined;
  // `execute()` queues it now (postgres.js queries are lazy), ahead of the COMMIT, queued only once the body returned.
  return session.client
    .unsafe(text)
    .execute()
    .then(
      () => undefined,
      (err: unknown) => {
        throw toDatabaseError(err, text);
      },
    );
}

/**
 * Runs a statement whose values are literals (`sqlLiteral`) in `db` (a transaction or not). On PGlite through its
 * simple query protocol (`exec`): a parameterised insert through drizzle costs ~3× as much CPU there (issue 15:
 * ~770 against ~250 µs for an outbox row), and PGlite runs in this process. That path skips the guard (guard.ts),
 * whose deadline cannot interrupt an in-process database anyway; a failure is reported by the query's name, never
 * its text (errors.ts). Elsewhere `db.execute`, through the guard.
 */
export async function execLiteral(db: Db | Tx, text: string): Promise<void> {
  const session = sessionOf<PgliteSession>(db);
  if (session?.constructor[entityKind] !== "PgliteSession" || !session.client) {
    await db.execute(sql.raw(text));
    return;
  }
  try {
    await session.client.exec(text);
  } catch (err) {
    throw toDatabaseError(err, text);
  }
}
