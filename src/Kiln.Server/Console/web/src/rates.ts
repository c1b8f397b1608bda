import { h } from "./dom";
import { svg } from "./plots";

/** One route's request rate over time, as samples the page collects while it is open. */
export interface RateSeries { label: string; points: { time: number; rate: number }[] }

const colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

/**
 * A small line chart of request rates over the last minutes (inline SVG, redrawn on every sample): one line per route,
 * its latest rate in the legend. The figure's data-samples says how many samples it holds.
 */
export function rateChart(series: RateSeries[]): HTMLElement {
  const width = 560, height = 150, left = 40, right = 8, top = 8, base = height - 20;
  const times = series.flatMap((s) => s.points.map((p) => p.time));
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const max = Math.max(0.1, ...series.flatMap((s) => s.points.map((p) => p.rate)));
  const x = (t: number) => left + (t1 > t0 ? ((t - t0) / (t1 - t0)) * (width - left - right) : 0);
  const y = (r: number) => base - (r / max) * (base - top);
  const root = svg("svg", { width, height, class: "rates", role: "img", "aria-label": "requests per second over time" },
    svg("line", { x1: left, x2: width - right, y1: base, y2: base, stroke: "#98a2b3" }),
    svg("line", { x1: left, x2: left, y1: top, y2: base, stroke: "#98a2b3" }),
    svg("text", { x: left - 4, y: top + 8, "font-size": 10, "text-anchor": "end" }, String(+max.toPrecision(3))),
    svg("text", { x: left - 4, y: base, "font-size": 10, "text-anchor": "end" }, "0"),
    svg("text", { x: width - right, y: height - 4, "font-size": 10, "text-anchor": "end", fill: "#667085" },
      times.length ? `${Math.round((t1 - t0) / 1000)} s shown, one sample per refresh` : "waiting for the first heartbeat"));
  series.forEach((s, i) => {
    if (!s.points.length) return;
    const path = s.points.map((p, j) => `${j ? "L" : "M"}${x(p.time).toFixed(1)},${y(p.rate).toFixed(1)}`).join(" ");
    root.append(svg("path", { d: path, fill: "none", stroke: colors[i % colors.length], "stroke-width": 1.6 }, svg("title", {}, s.label)));
  });
  const legend = h("span", { class: "chips" }, ...series.map((s, i) =>
    h("span", { class: "chip", style: `border-color: ${colors[i % colors.length]}` }, `${s.label}: ${(s.points.at(-1)?.rate ?? 0).toFixed(2)}/s`)));
  const samples = series.reduce((n, s) => Math.max(n, s.points.length), 0);
  return h("figure", { class: "chart", id: "rate-chart", dataset: { samples: String(samples) } }, h("figcaption", {}, "Requests per second by route", legend), root);
}
