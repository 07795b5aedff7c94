"use client";

import { useEffect, useRef } from "react";
import "uplot/dist/uPlot.min.css";

type Day = { day: string } & Record<string, number | string>;
type Step = { key: string; label: string };

const COLORS = ["#2563eb", "#16a34a", "#d97706", "#9333ea"];

/**
 * The funnel by day as a uPlot line chart. An enhancement only: the table under it carries the same numbers for
 * readers without JavaScript (and screen readers), so the chart itself is hidden from assistive technology.
 */
export function FunnelChart({ days, steps }: { days: Day[]; steps: Step[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let plot: { destroy(): void } | undefined;
    let cancelled = false;
    void import("uplot").then(({ default: UPlot }) => {
      if (cancelled) return;
      const xs = days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000);
      const data: [number[], ...number[][]] = [xs, ...steps.map((s) => days.map((d) => Number(d[s.key])))];
      plot = new UPlot(
        {
          width: Math.max(320, el.clientWidth),
          height: 260,
          tzDate: (ts) => UPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
          scales: { x: { time: true } },
          axes: [{}, { label: "per day" }],
          series: [{ label: "Date" }, ...steps.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2 }))],
        },
        data,
        el,
      );
    });
    return () => {
      cancelled = true;
      plot?.destroy();
    };
  }, [days, steps]);
  return <div ref={ref} className="admin-chart" aria-hidden="true" data-testid="funnel-chart" />;
}
