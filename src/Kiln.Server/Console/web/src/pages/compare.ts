import { getRun, historyInterval, Run } from "../api";
import { lineChart } from "../chart";
import { Axis, parallelCoordinates, scatter } from "../plots";
import { errorBox, formatNumber, h } from "../dom";
import { go, remember, Route } from "../route";

/** Runs side by side: a metric's curves overlaid, and params and latest metrics in one table with differences marked. */
export async function comparePage(route: Route): Promise<HTMLElement> {
  const ids = (route.query.get("runs") ?? "").split(",").filter(Boolean);
  const page = h("section", { class: "page" }, h("h1", {}, `Compare ${ids.length} runs`));
  if (ids.length < 2) {
    page.append(h("p", {}, "Select two or more runs in an experiment's run table."));
    return page;
  }
  let runs: Run[];
  try {
    runs = (await Promise.all(ids.map(getRun))).map((r) => r.run);
  } catch (e) {
    page.append(errorBox((e as Error).message));
    return page;
  }
  const keys = [...new Set(runs.flatMap((r) => (r.data.metrics ?? []).map((m) => m.key)))].sort();
  const metric = route.query.get("metric") ?? keys.find((k) => k.endsWith("loss")) ?? keys[0];
  const picker = h("select", { id: "metric", "aria-label": "metric" }, ...keys.map((k) => h("option", { value: k, selected: k === metric }, k))) as HTMLSelectElement;
  // every other setting of the view stays as it is
  const keep = (changes: Record<string, string>) => go(route.path, { ...Object.fromEntries(route.query), ...changes });
  picker.addEventListener("change", () => keep({ metric: picker.value }));
  page.append(h("div", { class: "controls" }, h("label", {}, "Metric ", picker)));
  if (metric) {
    try {
      // the route takes at most 100 runs a request: hundreds of runs are asked for in chunks, in parallel
      const chunks = Array.from({ length: Math.ceil(ids.length / 100) }, (_, i) => ids.slice(i * 100, i * 100 + 100));
      const points = (await Promise.all(chunks.map((chunk) => historyInterval(chunk, metric)))).flatMap((r) => r.metrics ?? []);
      const settings = { log: route.query.get("log") === "1", smooth: Number(route.query.get("smooth") ?? 0), time: route.query.get("xby") === "time" };
      page.append(lineChart(metric, runs.map((r) => {
        const mine = points.filter((p) => p.run_id === r.info.run_id);
        return { label: r.info.run_name || r.info.run_id, xs: mine.map((p) => p.step), ys: mine.map((p) => p.value), times: mine.map((p) => p.timestamp) };
      }), "step", settings, (c) => remember(route, { log: c.log ? "1" : undefined, smooth: c.smooth ? String(c.smooth) : undefined, xby: c.time ? "time" : undefined })));
    } catch (e) {
      page.append(errorBox((e as Error).message));
    }
  }
  const labels = runs.map((r) => r.info.run_name || r.info.run_id);
  const paramKeys = [...new Set(runs.flatMap((r) => (r.data.params ?? []).map((p) => p.key)))].sort();
  const valueOf = (r: Run, name: string): number | string | undefined => name.startsWith("metrics.")
    ? r.data.metrics?.find((m) => m.key === name.slice(8))?.value
    : r.data.params?.find((p) => p.key === name.slice(7))?.value;
  const choices = [...keys.map((k) => "metrics." + k), ...paramKeys.map((k) => "params." + k)];
  const axis = (name: string): Axis => ({ name, values: runs.map((r) => valueOf(r, name)) });
  const target = route.query.get("target") ?? (keys.find((k) => k.startsWith("valid_")) ? "metrics." + keys.find((k) => k.startsWith("valid_")) : choices[0]);
  if (paramKeys.length && target) {
    page.append(parallelCoordinates([...paramKeys.map((k) => axis("params." + k)), axis(target)], labels));
  }
  const sx = route.query.get("x") ?? (paramKeys.length ? "params." + paramKeys[0] : choices[0]);
  const sy = route.query.get("y") ?? target;
  if (sx && sy) {
    const pick = (id: string, current: string) => {
      const select = h("select", { id, "aria-label": id }, ...choices.map((c) => h("option", { value: c, selected: c === current }, c))) as HTMLSelectElement;
      select.addEventListener("change", () => keep({ [id === "scatter-x" ? "x" : "y"]: select.value }));
      return select;
    };
    page.append(h("div", { class: "controls" }, h("label", {}, "Scatter x ", pick("scatter-x", sx)), " ", h("label", {}, "y ", pick("scatter-y", sy))),
      scatter(axis(sx), axis(sy), labels));
  }
  const table = h("table", { class: "grid", id: "compare-table" },
    h("thead", {}, h("tr", {}, h("th", {}, ""), ...runs.map((r) => h("th", {}, h("a", { href: `#/runs/${r.info.run_id}` }, r.info.run_name || r.info.run_id))))));
  const body = h("tbody");
  const rows: [string, (r: Run) => string][] = [
    ...[...new Set(runs.flatMap((r) => (r.data.params ?? []).map((p) => p.key)))].sort().map((k): [string, (r: Run) => string] =>
      [`param ${k}`, (r) => r.data.params?.find((p) => p.key === k)?.value ?? "—"]),
    ...keys.map((k): [string, (r: Run) => string] => [`metric ${k}`, (r) => formatNumber(r.data.metrics?.find((m) => m.key === k)?.value) || "—"]),
  ];
  for (const [label, get] of rows) {
    const cells = runs.map(get);
    const differs = new Set(cells).size > 1;
    body.append(h("tr", { class: differs ? "differs" : undefined }, h("th", {}, label), ...cells.map((c) => h("td", {}, c))));
  }
  table.append(body);
  page.append(table);
  return page;
}
