/**
 * Shutdown hooks, run in reverse order of registration when the server stops (server.mjs calls the function
 * stored on globalThis, so it works across Next's separately loaded module copies).
 */
import { describeError } from "@/lib/http/errors";

type Hook = { name: string; fn: () => Promise<void> | void };

const HOOKS = Symbol.for("tandem.shutdownHooks");
const SHUTDOWN = Symbol.for("tandem.shutdown");
type G = typeof globalThis & { [HOOKS]?: Hook[]; [SHUTDOWN]?: () => Promise<void> };

export function onShutdown(name: string, fn: Hook["fn"]): void {
  const g = globalThis as G;
  (g[HOOKS] ??= []).push({ name, fn });
  g[SHUTDOWN] ??= runShutdown;
}

export async function runShutdown(): Promise<void> {
  const g = globalThis as G;
  const hooks = (g[HOOKS] ?? []).splice(0).reverse();
  for (const h of hooks) {
    try {
      await h.fn();
    } catch (err) {
      console.error(`shutdown: ${h.name} failed:`, describeError(err));
    }
  }
}
