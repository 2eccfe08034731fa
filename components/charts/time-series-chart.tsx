"use client";
import { useEffect, useRef } from "react";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export type ChartSeries = { label: string; values: number[]; color: string };

const palette = ["#1d4ed8", "#15803d", "#b91c1c", "#a16207", "#7e22ce", "#0e7490", "#be185d", "#4d7c0f"];

/**
 * An hourly time series drawn with uPlot (canvas, ~50 KB, no dependencies): the
 * library is loaded in the browser only, after the page is shown. Times on the
 * x axis and in the legend are written in `locale`; labels come translated.
 */
export function TimeSeriesChart({ xs, series, locale, label, testId, height = 220 }: { xs: number[]; series: ChartSeries[]; locale: string; label: string; testId: string; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let plot: uPlot | undefined;
    let cancelled = false;
    const hourFmt = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" });
    const dayFmt = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric" });
    const fullFmt = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
    const spanDays = xs.length > 48;
    void import("uplot").then(({ default: UPlot }) => {
      if (cancelled) return;
      const opts: uPlot.Options = {
        width: Math.max(280, el.clientWidth),
        height,
        scales: { x: { time: true } },
        series: [
          { label: "", value: (_u, v) => (v == null ? "—" : fullFmt.format(new Date(v * 1000))) },
          ...series.map((s, i) => ({ label: s.label, stroke: s.color || palette[i % palette.length], width: 2, points: { show: false } })),
        ],
        axes: [
          { values: (_u, splits) => splits.map((v) => (spanDays ? dayFmt : hourFmt).format(new Date(v * 1000))) },
          { values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : "")) },
        ],
        legend: { live: true },
      };
      plot = new UPlot(opts, [xs, ...series.map((s) => s.values)], el);
    });
    const resize = () => plot?.setSize({ width: Math.max(280, el.clientWidth), height });
    window.addEventListener("resize", resize);
    return () => {
      cancelled = true;
      window.removeEventListener("resize", resize);
      plot?.destroy();
    };
  }, [xs, series, locale, height]);
  return <div ref={box} role="img" aria-label={label} data-testid={testId} className="min-h-[220px] w-full" />;
}
