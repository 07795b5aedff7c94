"use client";

import { useEffect, useState } from "react";

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * 86_400],
  ["month", 30 * 86_400],
  ["week", 7 * 86_400],
  ["day", 86_400],
  ["hour", 3600],
  ["minute", 60],
];

/** "3 minutes ago", "in 2 hours", "just now". */
export function relativeTime(date: Date, now: number): string {
  const s = Math.round((date.getTime() - now) / 1000);
  if (Math.abs(s) < 45) return "just now";
  for (const [unit, secs] of UNITS) if (Math.abs(s) >= secs) return rtf.format(Math.round(s / secs), unit);
  return rtf.format(Math.round(s / 60), "minute");
}

/** The exact time in the viewer's own time zone, e.g. "30 Nov 2026, 14:56:44 CET". */
export function exactTime(date: Date): string {
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "long" });
}

/**
 * A timestamp as a relative time that keeps itself current, with the exact time (viewer's time zone) on hover
 * and in the accessible name. The server renders an ISO date; the browser replaces it after hydration.
 */
export function RelativeTime({ iso }: { iso: string | Date }) {
  const date = typeof iso === "string" ? new Date(iso) : iso;
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(t);
  }, []);
  const isoText = date.toISOString();
  if (now === null) return <time dateTime={isoText}>{isoText.slice(0, 16).replace("T", " ")}</time>;
  const exact = exactTime(date);
  return (
    <time dateTime={isoText} title={exact}>
      {relativeTime(date, now)}
    </time>
  );
}
