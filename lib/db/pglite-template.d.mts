/** Folder holding the current template, `<NEXT_DIST_DIR or .next>/cache/pglite-template`. */
export function templateRoot(root?: string): string;
/** Hash of drizzle/ and the PGlite version; null when PGlite's version cannot be read. */
export function templateStamp(root?: string): string | null;
/** The current template's folder (it may not exist), or null when there can be none. */
export function templatePath(root?: string): string | null;
/** initdb + migrations of `dataDir` in a child process that exits. */
export function initFolder(dataDir: string, root?: string): Promise<void>;
/** Copies the template into `dataDir` (missing or empty); false when there is none or the copy failed. */
export function restoreFromTemplate(dataDir: string, root?: string): Promise<boolean>;
/** Makes the current template unless it exists. */
export function buildTemplate(root?: string): Promise<{ path: string | null; built: boolean }>;
/** Makes `dataDir` a ready, migrated PGlite folder: from the template, else by initdb (then kept as the template). */
export function prepareFreshFolder(dataDir: string, root?: string): Promise<"template" | "initdb">;
/** `dataDir` ready to open, prepared at most once per process at a time (and logged); how. */
export function ensureDataFolder(dataDir: string, root?: string): Promise<"existing" | "template" | "initdb">;
/** The PGlite folder the environment selects (lib/config.ts's rules), or null for PostgreSQL or memory://. */
export function pgliteFolder(env?: Record<string, string | undefined>): string | null;
