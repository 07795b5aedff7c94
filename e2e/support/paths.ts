import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const E2E_DIST_DIR = process.env.E2E_DIST_DIR ?? ".next-e2e";
