/**
 * Calls `onExpiry` `ms` after the call unless cancelled first. Expiry is judged after the I/O that is already waiting
 * (a `setImmediate` from the timer runs after the poll phase): when the event loop was busy for longer than `ms`, an
 * answer that arrived meanwhile is read first and can cancel, instead of a timer that merely fired first turning a
 * healthy dependency into a timeout. The one timer behind every deadline of the app.
 */
export function expireAfter(ms: number, onExpiry: () => void): () => void {
  let cancelled = false;
  const timer = setTimeout(() => {
    setImmediate(() => {
      if (!cancelled) onExpiry();
    });
  }, ms);
  timer.unref?.();
  return () => {
    cancelled = true;
    clearTimeout(timer);
  };
}

/** Settles like `p`, or rejects with `onTimeout()` when `p` has not settled `ms` after the call (see `expireAfter`). */
export function withDeadline<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = expireAfter(ms, () => reject(onTimeout()));
    p.then(
      (v) => {
        cancel();
        resolve(v);
      },
      (e) => {
        cancel();
        reject(e);
      },
    );
  });
}

/**
 * An AbortSignal for an outbound request that aborts `ms` after the call, judged as `expireAfter` judges: an answer
 * that arrived while the event loop was busy is read instead of cut. `clear()` once the request settled.
 */
export function deadlineSignal(ms: number): { signal: AbortSignal; clear: () => void } {
  const ctl = new AbortController();
  const clear = expireAfter(ms, () => ctl.abort(new DOMException(`no answer within ${ms} ms`, "TimeoutError")));
  return { signal: ctl.signal, clear };
}
