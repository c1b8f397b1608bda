import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h } from "./dom";

export interface Series { label: string; xs: number[]; ys: number[]; times?: number[] }

const colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];

/** Exponential moving average, as MLflow's and TensorBoard's smoothing slider (0 = none). */
function smooth(ys: number[], weight: number): number[] {
  if (weight <= 0) return ys;
  let last = ys.find(Number.isFinite) ?? 0;
  return ys.map((y) => (Number.isFinite(y) ? (last = last * weight + (1 - weight) * y) : y));
}

/**
 * A line chart of one or more series over a shared x axis (uPlot: canvas, fast with many points): drag to zoom,
 * double-click to reset, log scale and smoothing toggles. The container's data-points says how many points are drawn.
 */
/** A chart's settings, kept in the page's URL so a shared link shows the chart the same way. */
export interface ChartSettings { log: boolean; smooth: number; time: boolean }

/** A line chart; <paramref name="xRange"/> fixes the step axis (e.g. a whole monitoring window, however few buckets it has). */
export function lineChart(title: string, series: Series[], xLabel = "step", settings?: ChartSettings, onChange?: (s: ChartSettings) => void,
  xRange?: [number, number]): HTMLElement {
  const wrapper = h("figure", { class: "chart" });
  const plot = h("div", { class: "plot" });
  const log = h("input", { type: "checkbox", "aria-label": "log scale" }) as HTMLInputElement;
  const byTime = h("input", { type: "checkbox", "aria-label": "x by time" }) as HTMLInputElement;
  const smoothing = h("input", { type: "range", min: "0", max: "0.99", step: "0.01", value: "0", "aria-label": "smoothing" }) as HTMLInputElement;
  log.checked = settings?.log ?? false;
  const initialSmoothing = settings?.smooth ?? 0;
  smoothing.value = String(Number.isFinite(initialSmoothing) ? Math.min(0.99, Math.max(0, initialSmoothing)) : 0);
  byTime.checked = settings?.time ?? false;
  const timed = series.every((s) => s.times?.length === s.xs.length);
  wrapper.append(h("figcaption", {}, title, h("label", {}, log, " log"), timed ? h("label", {}, byTime, " x by time") : null, h("label", {}, "smooth ", smoothing)), plot);
  const points = series.reduce((n, s) => n + s.xs.length, 0);
  wrapper.dataset.points = String(points);

  let chart: uPlot | undefined;
  const draw = () => {
    chart?.destroy();
    // x by step, or by wall-clock time (uPlot's time axis is in seconds)
    const xOf = (s: Series) => (byTime.checked && s.times ? s.times.map((t) => t / 1000) : s.xs);
    const xs = [...new Set(series.flatMap(xOf))].sort((a, b) => a - b);
    const index = new Map(xs.map((x, i) => [x, i]));
    const columns = series.map((s) => {
      const column: (number | null)[] = new Array(xs.length).fill(null);
      xOf(s).forEach((x, i) => (column[index.get(x)!] = s.ys[i]));
      return column;
    });
    const weight = Number(smoothing.value);
    // a log scale cannot show values at or below zero: those points are left out rather than breaking the chart
    const shown = (v: number) => (Number.isNaN(v) || (log.checked && v <= 0) ? null : v);
    const data: uPlot.AlignedData = [xs, ...columns.map((c) => smooth(c.map((v) => v ?? NaN), weight).map(shown))];
    chart = new uPlot(
      {
        width: Math.max(320, Math.min(900, plot.clientWidth || 640)),
        height: 260,
        scales: { x: xRange && !byTime.checked ? { time: false, range: xRange } : { time: byTime.checked }, y: { distr: log.checked ? 3 : 1 } },
        axes: [{ label: byTime.checked ? "time" : xLabel }, {}],
        series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: colors[i % colors.length], width: 1.5, spanGaps: true, points: { show: xs.length < 60 } }))],
        cursor: { drag: { x: true, y: false } },
      },
      data,
      plot,
    );
  };
  const changed = () => {
    draw();
    onChange?.({ log: log.checked, smooth: Number(smoothing.value), time: byTime.checked });
  };
  log.addEventListener("change", changed);
  byTime.addEventListener("change", changed);
  smoothing.addEventListener("input", changed);
  requestAnimationFrame(draw);
  return wrapper;
}
