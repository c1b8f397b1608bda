import { h } from "./dom";

const svgNs = "http://www.w3.org/2000/svg";

/** An SVG element with attributes and children (the charts here are small inline SVG). */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

/** A value on an axis: numbers as they are, other text by its rank among the axis's distinct values. */
export interface Axis { name: string; values: (number | string | undefined)[] }

function scaler(axis: Axis): { at: (v: number | string | undefined) => number | undefined; ticks: [number, string][] } {
  const present = axis.values.filter((v): v is number | string => v !== undefined && v !== "");
  const numeric = present.every((v) => typeof v === "number" || (v !== "" && Number.isFinite(Number(v))));
  if (numeric) {
    const nums = present.map(Number);
    const [lo, hi] = [Math.min(...nums), Math.max(...nums)];
    const span = hi - lo || 1;
    return { at: (v) => (v === undefined || v === "" ? undefined : (Number(v) - lo) / span), ticks: [[0, String(+lo.toPrecision(4))], [1, String(+hi.toPrecision(4))]] };
  }
  const levels = [...new Set(present.map(String))].sort();
  const step = levels.length > 1 ? 1 / (levels.length - 1) : 0.5;
  return { at: (v) => (v === undefined ? undefined : levels.indexOf(String(v)) * step), ticks: levels.map((l, i) => [i * step, l]) };
}

function color(t: number): string {
  // low values blue, high red
  const r = Math.round(40 + 200 * t), b = Math.round(220 - 180 * t);
  return `rgb(${r},80,${b})`;
}

/** Parallel coordinates: one line per run across the param axes, ending on the metric axis and coloured by it. */
export function parallelCoordinates(axes: Axis[], labels: string[]): HTMLElement {
  const width = Math.max(480, axes.length * 150), height = 320, top = 30, bottom = 30, left = 60, right = 60;
  const x = (i: number) => left + (i * (width - left - right)) / Math.max(1, axes.length - 1);
  const y = (t: number) => top + (1 - t) * (height - top - bottom);
  const scales = axes.map(scaler);
  const root = svg("svg", { width, height, class: "parallel", role: "img", "aria-label": "parallel coordinates" });
  const metric = scales[scales.length - 1];
  labels.forEach((label, run) => {
    const points: string[] = [];
    axes.forEach((axis, i) => {
      const t = scales[i].at(axis.values[run]);
      if (t !== undefined) points.push(`${x(i)},${y(t)}`);
    });
    const m = metric.at(axes[axes.length - 1].values[run]);
    root.append(svg("polyline", { points: points.join(" "), fill: "none", stroke: m === undefined ? "#999" : color(m), "stroke-width": 1.5, "stroke-opacity": 0.8 },
      svg("title", {}, label)));
  });
  axes.forEach((axis, i) => {
    root.append(svg("line", { x1: x(i), x2: x(i), y1: y(0), y2: y(1), stroke: "#333" }), svg("text", { x: x(i), y: 14, "text-anchor": "middle", "font-size": 12 }, axis.name));
    for (const [t, label] of scales[i].ticks) root.append(svg("text", { x: x(i) + 4, y: y(t) + 4, "font-size": 10, fill: "#555" }, label));
  });
  const figure = h("figure", { class: "chart", dataset: { lines: String(labels.length) } }, h("figcaption", {}, "Parameters against " + axes[axes.length - 1].name));
  figure.append(root);
  return figure;
}

/** A scatter of two values (metrics or params), one point per run, named on hover. */
export function scatter(xAxis: Axis, yAxis: Axis, labels: string[]): HTMLElement {
  const width = 480, height = 320, pad = 50;
  const [sx, sy] = [scaler(xAxis), scaler(yAxis)];
  const root = svg("svg", { width, height, class: "scatter", role: "img", "aria-label": "scatter" });
  root.append(svg("line", { x1: pad, x2: width - 10, y1: height - pad, y2: height - pad, stroke: "#333" }),
    svg("line", { x1: pad, x2: pad, y1: 10, y2: height - pad, stroke: "#333" }),
    svg("text", { x: width / 2, y: height - 12, "text-anchor": "middle", "font-size": 12 }, xAxis.name),
    svg("text", { x: 14, y: height / 2, "text-anchor": "middle", "font-size": 12, transform: `rotate(-90 14 ${height / 2})` }, yAxis.name));
  for (const [t, label] of sx.ticks) root.append(svg("text", { x: pad + t * (width - pad - 10), y: height - pad + 14, "text-anchor": "middle", "font-size": 10 }, label));
  for (const [t, label] of sy.ticks) root.append(svg("text", { x: pad - 4, y: height - pad - t * (height - pad - 10), "text-anchor": "end", "font-size": 10 }, label));
  let drawn = 0;
  labels.forEach((label, i) => {
    const [tx, ty] = [sx.at(xAxis.values[i]), sy.at(yAxis.values[i])];
    if (tx === undefined || ty === undefined) return;
    drawn++;
    root.append(svg("circle", { cx: pad + tx * (width - pad - 10), cy: height - pad - ty * (height - pad - 10), r: 4, fill: "#1f77b4" }, svg("title", {}, label)));
  });
  const figure = h("figure", { class: "chart", dataset: { points: String(drawn) } }, h("figcaption", {}, `${yAxis.name} against ${xAxis.name}`));
  figure.append(root);
  return figure;
}
