export { getDb, closeDb, dbHandle, type Db, type Tx } from "./client";
export * as schema from "./schema";
