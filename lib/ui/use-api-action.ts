import { useCallback, useState } from "react";
import { ApiError } from "./api";

/** The outcome a form shows: a success note (`ok`) or an error, in one slot so a new attempt replaces the last one. */
export type ActionMessage = { ok: boolean; text: string };

/** The server's message for an `ApiError`; anything else (network, bugs) gets the caller's wording. */
export function errorText(err: unknown, fallback: string): string {
  return err instanceof ApiError ? err.message : fallback;
}

/**
 * The busy/error plumbing every client form repeats. `run(fallback, fn)` marks the action busy, clears the last
 * message, and runs `fn`; a string `fn` returns becomes the success message, a throw becomes the error message.
 * `keepBusy` leaves the action busy after success, for actions that navigate away (so the button stays disabled).
 * Resolves to whether `fn` succeeded.
 */
export function useApiAction() {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<ActionMessage | null>(null);

  const run = useCallback(async (fallback: string, fn: () => Promise<string | void>, { keepBusy = false } = {}): Promise<boolean> => {
    setBusy(true);
    setMessage(null);
    try {
      const text = await fn();
      if (typeof text === "string") setMessage({ ok: true, text });
      if (!keepBusy) setBusy(false);
      return true;
    } catch (err) {
      setMessage({ ok: false, text: errorText(err, fallback) });
      setBusy(false);
      return false;
    }
  }, []);

  const reset = useCallback(() => setMessage(null), []);

  return { busy, message, error: message && !message.ok ? message.text : null, run, reset };
}
