/** Small helpers shared by the benches: medians of interleaved rounds, machine load and a calibration loop. */
import os from "node:os";

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

export const loadavg = () => os.loadavg().map((l) => l.toFixed(1)).join(" / ");

export const machine = () => `${os.cpus()[0]?.model ?? "unknown"} × ${os.cpus().length}, Node ${process.version}`;

/**
 * A fixed CPU workload (integer hashing, no allocation), in ms. Run once per round next to the measured code: how
 * long it takes says how much CPU the round got on this shared machine (the same code on an idle core: ~4 ms).
 */
export function calibrate(): number {
  const t = process.hrtime.bigint();
  let x = 0;
  for (let i = 0; i < 5_000_000; i++) x = (x + Math.imul(i ^ x, 2654435761)) | 0;
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (x === 42) console.log(""); // keeps the loop from being optimised away
  return ms;
}
