import { formatStat, h } from "./dom";
import { svg } from "./plots";

/** Small inline SVG bar charts for dataset statistics: each bar has a tooltip with its exact value. */

const blue = "#1f77b4", grey = "#98a2b3";
const clip = (text: string, n: number) => (text.length > n ? text.slice(0, n - 1) + "…" : text);
const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

function figure(caption: (Node | string)[], chart: SVGSVGElement, bars: number, extra?: string): HTMLElement {
  const fig = h("figure", { class: "chart mini" + (extra ? " " + extra : ""), dataset: { bars: String(bars) } }, h("figcaption", {}, ...caption));
  fig.append(chart);
  return fig;
}

/** A histogram of a numeric column: one bar per bin (edges has one entry more than counts), the range under it. */
export function histogram(caption: string, edges: number[], counts: number[]): HTMLElement {
  const width = 240, height = 110, left = 6, right = 6, top = 14, base = height - 18;
  const max = Math.max(1, ...counts);
  const step = (width - left - right) / Math.max(1, counts.length);
  const root = svg("svg", { width, height, class: "bars", role: "img", "aria-label": `histogram of ${caption}` });
  counts.forEach((c, i) => {
    const bar = (c / max) * (base - top);
    root.append(svg("rect", { x: left + i * step + 0.5, y: base - bar, width: Math.max(1, step - 1), height: bar, fill: blue },
      svg("title", {}, `${formatStat(edges[i])} – ${formatStat(edges[i + 1])}: ${c}`)));
  });
  root.append(svg("line", { x1: left, x2: width - right, y1: base, y2: base, stroke: "#667085" }),
    svg("text", { x: left, y: height - 4, "font-size": 10 }, formatStat(edges[0])),
    svg("text", { x: width - right, y: height - 4, "font-size": 10, "text-anchor": "end" }, formatStat(edges[edges.length - 1])),
    svg("text", { x: left, y: 10, "font-size": 10, fill: "#667085" }, `max ${max}`));
  return figure([caption], root, counts.length);
}

/** The most frequent categories of a column as horizontal bars, each with its count. */
export function categoryBars(caption: string, categories: { category: string; count: number }[], total: number): HTMLElement {
  const rowHeight = 15, labelWidth = 92, barWidth = 100, width = 240;
  const max = Math.max(1, ...categories.map((c) => c.count));
  const root = svg("svg", { width, height: categories.length * rowHeight + 4, class: "bars", role: "img", "aria-label": `categories of ${caption}` });
  categories.forEach((c, i) => {
    const y = i * rowHeight + 2;
    root.append(svg("text", { x: labelWidth - 4, y: y + 11, "font-size": 11, "text-anchor": "end" }, clip(c.category || "(empty)", 14)),
      svg("rect", { x: labelWidth, y: y + 2, width: Math.max(1, (c.count / max) * barWidth), height: rowHeight - 4, fill: blue },
        svg("title", {}, `${c.category}: ${c.count}${total ? ` (${pct(c.count / total)})` : ""}`)),
      svg("text", { x: labelWidth + (c.count / max) * barWidth + 4, y: y + 11, "font-size": 10, fill: "#475467" }, String(c.count)));
  });
  return figure([caption], root, categories.length);
}

/** A reference and a current distribution side by side: per label a grey (reference) and a blue (current) bar of its share. */
export function pairedBars(caption: (Node | string)[], labels: string[], reference: number[], current: number[], shifted: boolean): HTMLElement {
  const group = 24, labelWidth = 130, barWidth = 240, width = labelWidth + barWidth + 56, top = 18;
  const max = Math.max(1e-9, ...reference, ...current);
  const root = svg("svg", { width, height: top + labels.length * group + 4, class: "bars", role: "img", "aria-label": "reference and current shares" });
  root.append(svg("rect", { x: labelWidth, y: 3, width: 10, height: 8, fill: grey }), svg("text", { x: labelWidth + 14, y: 11, "font-size": 10 }, "reference"),
    svg("rect", { x: labelWidth + 80, y: 3, width: 10, height: 8, fill: blue }), svg("text", { x: labelWidth + 94, y: 11, "font-size": 10 }, "current"));
  labels.forEach((label, i) => {
    const y = top + i * group;
    const tip = `${label}: reference ${pct(reference[i])}, current ${pct(current[i])}`;
    const bar = (share: number, dy: number, fill: string) => [
      svg("rect", { x: labelWidth, y: y + dy, width: Math.max(0.5, (share / max) * barWidth), height: 9, fill }, svg("title", {}, tip)),
      svg("text", { x: labelWidth + (share / max) * barWidth + 4, y: y + dy + 8, "font-size": 9, fill: "#475467" }, pct(share)),
    ];
    root.append(svg("text", { x: labelWidth - 6, y: y + 14, "font-size": 11, "text-anchor": "end" }, svg("title", {}, label), clip(label, 20)),
      ...bar(reference[i], 2, grey), ...bar(current[i], 12, blue));
  });
  return figure(caption, root, labels.length, shifted ? "shifted" : undefined);
}
