// prom-client's own label hash (the key of a metric's series map); used by the cached series in metrics.ts.
declare module "prom-client/lib/util.js" {
  export function hashObject(labels: object, labelNames?: readonly string[]): string;
}
