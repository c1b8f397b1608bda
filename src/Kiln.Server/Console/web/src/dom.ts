/** A tiny element builder: h("a", { href: "#/" }, "text", child). Attributes starting with "on" are listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, unknown> = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value as EventListener);
    else if (key === "class") el.className = String(value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(child));
  }
  return el;
}

export function formatTime(ms: number | undefined): string {
  if (!ms) return "";
  const d = new Date(ms);
  return d.toISOString().replace("T", " ").slice(0, 19);
}

export function formatDuration(start?: number, end?: number): string {
  if (!start || !end) return "";
  const s = Math.max(0, (end - start) / 1000);
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function formatNumber(v: number | string | undefined): string {
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(4) : String(Number(v.toPrecision(6)));
}

/** A statistic as people read it: plain digits up to a trillion (115000, not 1.15e+5), significant digits kept; NaN and infinities as words. */
export function formatStat(v: number | string | null | undefined, digits = 6): string {
  if (v === undefined || v === null) return "";
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  const a = Math.abs(n);
  return a >= 1e12 || (a < 1e-4 && n !== 0) ? n.toExponential(3) : String(Number(n.toPrecision(digits)));
}

/** Bytes in the largest unit that keeps the number at or above 1 (1,024 per step). */
export function formatBytes(n: number | undefined | null): string {
  if (n === undefined || n === null) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** A share (0..1) as a percentage. */
export function formatPercent(share: number | undefined | null): string {
  if (share === undefined || share === null) return "";
  return `${(share * 100).toFixed(share > 0 && share < 0.001 ? 3 : 1)}%`;
}

/** Tags as small key=value chips. */
export function chips(tags: Record<string, string>): HTMLElement {
  return h("span", { class: "chips" }, ...Object.entries(tags).map(([k, v]) => h("span", { class: "chip", title: `${k}=${v}` }, `${k}=${v}`)));
}

export function errorBox(message: string): HTMLElement {
  return h("div", { class: "error", role: "alert" }, message);
}
