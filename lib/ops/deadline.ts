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
