/**
 * Settles like `p`, or rejects with `onTimeout()` when `p` has not settled `ms` after the call.
 * The expiry is checked after the I/O that is already waiting (a `setImmediate` from the timer runs after the poll
 * phase): when the event loop was busy for longer than `ms`, an answer that arrived meanwhile still wins, instead of
 * a timer that merely fired first turning a healthy dependency into a 503.
 */
export function withDeadline<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(onTimeout());
      });
    }, ms);
    timer.unref?.();
    p.then(
      (v) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * An AbortSignal for an outbound request that aborts `ms` after the call, judged as `withDeadline` judges: after the
 * I/O already waiting, so an answer that arrived while the event loop was busy is read instead of cut. `clear()`
 * once the request settled.
 */
export function deadlineSignal(ms: number): { signal: AbortSignal; clear: () => void } {
  const ctl = new AbortController();
  let done = false;
  const timer = setTimeout(() => {
    setImmediate(() => {
      if (!done) ctl.abort(new DOMException(`no answer within ${ms} ms`, "TimeoutError"));
    });
  }, ms);
  timer.unref?.();
  return {
    signal: ctl.signal,
    clear: () => {
      done = true;
      clearTimeout(timer);
    },
  };
}
