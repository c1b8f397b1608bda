import { formatStat } from "./dom";
import { svg } from "./plots";
import { Lineage, LineageData, modelVersionHref, runHref } from "./registry";
import { versionHref, shortId } from "./data";

/**
 * A model version's lineage as inline SVG: dataset version(s) (with their validation status) → training run → this
 * version → its aliases, left to right, and the evaluations of the version as boxes below it. Boxes link to their pages.
 */

interface Line { text: string; tone?: "strong" | "muted" | "ok" | "warn" | "bad" }
interface Box { kind: string; lines: Line[]; href?: string; tip: string; x: number; y: number; w: number; h: number }

const width = 230, gapX = 56, gapY = 14, lineHeight = 16, pad = 8, left = 8, top = 8;
const maxChars = Math.floor((width - 2 * pad) / 6.4);
const clip = (text: string) => (text.length > maxChars ? text.slice(0, maxChars - 1) + "…" : text);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const height = (lines: Line[]) => lines.length * lineHeight + 2 * pad - 2;

/** A dataset's validation status: the newest validation's errors and warnings, or that none was run. */
function validation(d: LineageData): Line {
  const newest = [...d.validations].sort((a, b) => b.created_at - a.created_at)[0];
  if (!d.versioned) return { text: "not a dataset version", tone: "muted" };
  if (!newest) return { text: "not validated", tone: "muted" };
  return { text: `validated: ${plural(newest.errors, "error")}, ${plural(newest.warnings, "warning")}`, tone: newest.errors ? "bad" : newest.warnings ? "warn" : "ok" };
}

const dataBox = (d: LineageData): Omit<Box, "x" | "y" | "h"> => ({
  kind: "dataset",
  lines: [{ text: `dataset ${d.name}`, tone: "strong" }, { text: d.versioned ? shortId(d.digest) : d.digest, tone: "muted" },
    { text: d.context || "input", tone: "muted" }, validation(d)],
  href: d.versioned ? versionHref(d.name, d.digest) : undefined,
  tip: `${d.name} ${d.digest} (${d.context})`,
  w: width,
});

/** The few metrics a reader looks for first, else the first three. */
function headline(metrics: Record<string, number>): string {
  const preferred = ["roc_auc", "accuracy", "f1", "rmse", "r2", "mae"].filter((k) => k in metrics);
  const keys = (preferred.length ? preferred : Object.keys(metrics).sort()).slice(0, 2);
  return keys.map((k) => `${k} ${formatStat(metrics[k], 3)}`).join(" · ");
}

export function lineageGraph(l: Lineage): SVGSVGElement {
  const name = l.version.name, v = l.version.version;
  const columns: Omit<Box, "x" | "y" | "h">[][] = [];
  const run = l.source_run;
  if (run) {
    columns.push(run.datasets.length ? run.datasets.map(dataBox) : [{ kind: "dataset", lines: [{ text: "no dataset input logged", tone: "muted" }], tip: "the run logged no dataset input", w: width }]);
    columns.push([{ kind: "run", lines: [{ text: "training run", tone: "muted" }, { text: run.run_name || run.run_id, tone: "strong" }, { text: `experiment ${run.experiment_id}`, tone: "muted" }],
      href: runHref(run.run_id), tip: `run ${run.run_id}`, w: width }]);
  }
  columns.push([{ kind: "version", lines: [{ text: `${name} v${v}`, tone: "strong" }, { text: l.version.source, tone: "muted" }],
    href: modelVersionHref(name, v), tip: l.version.source, w: width }]);
  if (l.version.aliases.length) columns.push(l.version.aliases.map((a) => ({ kind: "alias", lines: [{ text: `@${a}`, tone: "strong" }, { text: `models:/${name}@${a}`, tone: "muted" }], tip: `models:/${name}@${a}`, w: width })));

  // lay the columns out left to right, each centred on the tallest
  const heights = columns.map((c) => c.reduce((s, b) => s + height(b.lines), 0) + gapY * (c.length - 1));
  const band = Math.max(...heights);
  const placed: Box[][] = columns.map((c, i) => {
    let y = top + (band - heights[i]) / 2;
    return c.map((b) => {
      const box = { ...b, x: left + i * (width + gapX), y, h: height(b.lines) };
      y += box.h + gapY;
      return box;
    });
  });
  const versionColumn = run ? 2 : 0;
  const version = placed[versionColumn][0];

  // evaluations below, in rows of up to four starting under the training run (or the version)
  const perRow = 4, evalTop = top + band + 48, startX = left + Math.max(0, versionColumn - 1) * (width + gapX);
  const evals: Box[] = l.evaluations.map((e, i) => {
    const data = e.datasets.map((d) => (d.versioned ? `${d.name}@${shortId(d.digest).slice(7, 15)}` : d.name)).join(", ");
    const lines: Line[] = [{ text: "evaluation", tone: "muted" }, { text: `run ${e.run_id.slice(0, 12)}`, tone: "strong" }, { text: headline(e.metrics) || "no metrics" },
      { text: data ? `on ${data}` : "no data logged", tone: "muted" }];
    const rowHeight = height(lines) + gapY;
    return { kind: "evaluation", lines, href: runHref(e.run_id), tip: `evaluation run ${e.run_id}${data ? ` on ${data}` : ""}`, w: width,
      x: startX + (i % perRow) * (width + 20), y: evalTop + Math.floor(i / perRow) * rowHeight, h: height(lines) };
  });

  const right = Math.max(...placed.flat().map((b) => b.x + b.w), ...evals.map((b) => b.x + b.w)) + left;
  const bottom = Math.max(...placed.flat().map((b) => b.y + b.h), ...evals.map((b) => b.y + b.h)) + top;
  const root = svg("svg", { width: right, height: bottom, class: "lineage", role: "img", "aria-label": `lineage of ${name} version ${v}` },
    svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#667085" }))));

  const arrow = (d: string, dashed = false, label?: string) => svg("path", { d, class: "edge" + (dashed ? " dashed" : ""), fill: "none", "marker-end": "url(#arrow)" },
    ...(label ? [svg("title", {}, label)] : []));
  for (let i = 0; i + 1 < placed.length; i++) {
    for (const from of placed[i]) for (const to of placed[i + 1]) {
      const [x1, y1, x2, y2] = [from.x + from.w, from.y + from.h / 2, to.x - 2, to.y + to.h / 2];
      const mid = (x1 + x2) / 2;
      root.append(arrow(`M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`));
    }
  }
  for (const e of evals) {
    const [x1, y1, x2, y2] = [version.x + version.w / 2, version.y + version.h, e.x + e.w / 2, e.y - 2];
    root.append(arrow(`M ${x1} ${y1} C ${x1} ${(y1 + y2) / 2}, ${x2} ${(y1 + y2) / 2}, ${x2} ${y2}`, true, "evaluated"));
  }

  for (const b of [...placed.flat(), ...evals]) {
    const g = svg("g", { class: `node ${b.kind}`, "data-kind": b.kind },
      svg("title", {}, b.tip),
      svg("rect", { x: b.x, y: b.y, width: b.w, height: b.h, rx: 6 }),
      ...b.lines.map((line, i) => svg("text", { x: b.x + pad, y: b.y + pad + 11 + i * lineHeight, class: line.tone ?? "" }, clip(line.text))));
    root.append(b.href ? svg("a", { href: b.href }, g) : g);
  }
  return root;
}
