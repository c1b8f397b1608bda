import { call } from "./api";
import { h } from "./dom";

/** Pipelines as the console uses them: Kiln's /api/kiln/pipelines (stored specs, runs) and /api/kiln/pipeline-runs. */
export interface PipelineParam { name: string; type: string; default: string | null }
export interface PipelineStepSpec { name: string; uses: string | null; run: string | null; needs: string[]; when: string | null; labels: string[] }
export interface PipelineTriggers { schedule?: string | null; dataset?: string[]; alias?: string[]; alert?: string[]; pipeline?: string[] }
export interface PipelineRunInfo {
  id: string; pipeline: string; status: string; trigger: string; cause: string | null; force: boolean; user: string;
  created_at: number; started_at: number | null; finished_at: number | null; error: string | null; tracking_run_id: string | null; params: Record<string, string>;
  step_counts?: Record<string, number>;
}
export interface Pipeline {
  name: string; description: string | null; hash: string; updated_at: number; updated_by: string; concurrency: string; yaml?: string;
  params: PipelineParam[]; steps: PipelineStepSpec[]; triggers: PipelineTriggers; last_run?: PipelineRunInfo;
}
export interface StepRunInfo {
  name: string; status: string; attempt: number; failures: number; labels: string; worker: string | null; started_at: number | null; finished_at: number | null;
  cache_key: string | null; cached_from: string | null; error: string | null; tracking_run_id: string | null; outputs: Record<string, string>;
}
export interface RunDetail { run: PipelineRunInfo; steps: StepRunInfo[] }

const root = "/api/kiln/pipelines";
const runs = "/api/kiln/pipeline-runs";
const enc = encodeURIComponent;

export const listPipelines = () => call<{ pipelines: Pipeline[] }>("GET", root);
export const getPipeline = (name: string) => call<Pipeline>("GET", `${root}/${enc(name)}`);
export const startRun = (name: string, params: Record<string, string>, force: boolean) => call<RunDetail>("POST", `${root}/${enc(name)}/runs`, { params, force, cause: "console" });
export const listRuns = (pipeline?: string, max = 50) => call<{ runs: PipelineRunInfo[] }>("GET", runs, undefined, { pipeline, max: String(max) });
export const getRun = (id: string) => call<RunDetail>("GET", `${runs}/${enc(id)}`);
export const cancelRun = (id: string) => call<RunDetail>("POST", `${runs}/${enc(id)}/cancel`, {});
export const resumeRun = (id: string) => call<RunDetail>("POST", `${runs}/${enc(id)}/resume`, {});
export const stepLog = (id: string, step: string) => call<{ step: string; status: string; log: string | null }>("GET", `${runs}/${enc(id)}/steps/${enc(step)}/log`);

export const pipelineHref = (name: string) => `#/pipelines/${enc(name)}`;
export const runHref = (name: string, id: string) => `#/pipelines/${enc(name)}/runs/${enc(id)}`;

/** True once a run can change no more. */
export const finished = (status: string) => status === "succeeded" || status === "failed" || status === "cancelled";

/** A status as a coloured badge (the class is the status). */
export const statusBadge = (status: string) => h("span", { class: `badge status ${status}`, dataset: { status } }, status);

/** What set a run off, as people read it: "alert: alert 3 … on loan". */
export const triggerText = (r: PipelineRunInfo) => r.cause ? `${r.trigger}: ${r.cause}` : r.trigger;

/** The triggers of a spec as short chips. */
export function triggerChips(t: PipelineTriggers): HTMLElement {
  const items: string[] = [];
  if (t.schedule) items.push(`schedule ${t.schedule}`);
  for (const d of t.dataset ?? []) items.push(`dataset ${d}`);
  for (const a of t.alias ?? []) items.push(`alias ${a}`);
  for (const a of t.alert ?? []) items.push(`alert on ${a}`);
  for (const p of t.pipeline ?? []) items.push(`after ${p}`);
  return h("span", { class: "chips triggers" }, ...(items.length ? items.map((i) => h("span", { class: "chip" }, i)) : [h("span", { class: "muted" }, "manual only")]));
}

/** Each step's column: the longest chain of needs before it. */
function layers(steps: PipelineStepSpec[]): Map<string, number> {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const depth = new Map<string, number>();
  const visit = (name: string, seen: Set<string>): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (seen.has(name)) return 0; // a cycle cannot be stored; guard anyway
    seen.add(name);
    const step = byName.get(name);
    const d = step && step.needs.length ? Math.max(...step.needs.map((n) => visit(n, seen) + 1)) : 0;
    depth.set(name, d);
    return d;
  };
  for (const s of steps) visit(s.name, new Set());
  return depth;
}

const svgNs = "http://www.w3.org/2000/svg";
function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * The DAG: steps in columns by how many steps they wait on, edges from each need, each node coloured by its step's status
 * in <paramref name="statuses"/> (a run), or plain for a spec. Clicking a node calls <paramref name="select"/>.
 */
export function dagChart(steps: PipelineStepSpec[], statuses: Map<string, StepRunInfo>, select?: (step: string) => void): HTMLElement {
  const depth = layers(steps);
  const columns: string[][] = [];
  for (const s of steps) (columns[depth.get(s.name)!] ??= []).push(s.name);
  const [w, hgt, gapX, gapY, pad] = [150, 40, 60, 16, 10];
  const rows = Math.max(...columns.map((c) => c.length));
  const width = pad * 2 + columns.length * w + (columns.length - 1) * gapX;
  const height = pad * 2 + rows * hgt + (rows - 1) * gapY;
  const pos = new Map<string, { x: number; y: number }>();
  columns.forEach((col, i) => col.forEach((name, j) => {
    const offset = ((rows - col.length) * (hgt + gapY)) / 2;
    pos.set(name, { x: pad + i * (w + gapX), y: pad + offset + j * (hgt + gapY) });
  }));
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": "pipeline DAG" }) as SVGSVGElement;
  for (const s of steps) {
    for (const need of s.needs) {
      const [a, b] = [pos.get(need), pos.get(s.name)];
      if (!a || !b) continue;
      const [x1, y1, x2, y2] = [a.x + w, a.y + hgt / 2, b.x, b.y + hgt / 2];
      root.append(svg("path", { d: `M${x1},${y1} C${x1 + gapX / 2},${y1} ${x2 - gapX / 2},${y2} ${x2},${y2}`, class: "edge", "data-from": need, "data-to": s.name }));
    }
  }
  for (const s of steps) {
    const p = pos.get(s.name)!;
    const status = statuses.get(s.name)?.status ?? "spec";
    const g = svg("g", { class: `node ${status}`, "data-step": s.name, "data-status": status, transform: `translate(${p.x},${p.y})`, tabindex: 0 });
    g.append(svg("rect", { width: w, height: hgt, rx: 6 }));
    g.append(svg("text", { x: 10, y: 17, class: "name" }, s.name.length > 20 ? s.name.slice(0, 19) + "…" : s.name));
    g.append(svg("text", { x: 10, y: 32, class: "kind" }, statuses.has(s.name) ? status : (s.uses ?? "run")));
    if (select) {
      g.addEventListener("click", () => select(s.name));
      g.addEventListener("keydown", (e) => { if ((e as KeyboardEvent).key === "Enter") select(s.name); });
    }
    root.append(g);
  }
  return h("div", { class: "dag", id: "dag" }, root as unknown as HTMLElement);
}
