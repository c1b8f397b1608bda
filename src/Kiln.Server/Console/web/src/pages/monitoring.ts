import { lineChart } from "../chart";
import { errorBox, formatPercent, formatTime, h } from "../dom";
import { acknowledge, Alert, HistoryPoint, listAlerts, monitoringHref, monitoringStatus, Performance, snapshot } from "../monitoring";
import { Route } from "../route";

const windows = ["15m", "1h", "24h", "7d"];

/** Every #/monitoring/… route: the status of every deployment, or one deployment's window. */
export async function monitoringRoutes(route: Route): Promise<HTMLElement> {
  const [, name] = route.parts.map(decodeURIComponent);
  const window = route.query.get("window") ?? (name === undefined ? "1h" : "24h");
  return name === undefined ? statusPage(window) : deploymentMonitorPage(name, window);
}

function windowLinks(base: string, current: string): HTMLElement {
  return h("p", { class: "windows" }, "Window: ", ...windows.flatMap((w, i) => [i > 0 ? " · " : "",
    w === current ? h("strong", {}, w) : h("a", { href: `${base}?window=${w}` }, w)]));
}

const metric = (values: Record<string, number> | undefined, key: string) => values?.[key] === undefined ? "–" : values[key].toFixed(4);

/** Every deployment over the window: rows, drift, quality issues, performance realised and estimated, firing alerts. */
async function statusPage(window: string): Promise<HTMLElement> {
  const page = h("section", { class: "page" }, h("h1", {}, "Monitoring"), windowLinks("#/monitoring", window));
  try {
    const [{ deployments }, { alerts }] = await Promise.all([monitoringStatus(window), listAlerts(undefined, "firing")]);
    const firing = new Map<string, number>();
    for (const a of alerts) firing.set(a.deployment, (firing.get(a.deployment) ?? 0) + 1);
    const table = h("table", { class: "grid", id: "monitoring" }, h("thead", {}, h("tr", {},
      ...["Deployment", "Rows", "Drifted features", "Predictions", "Quality issues", "Labelled", "AUC realised", "AUC estimated", "AUC baseline", "Firing alerts"].map((c) => h("th", {}, c)))));
    table.append(h("tbody", {}, ...deployments.map((d) => h("tr", { dataset: { deployment: d.deployment, drift: String(d.dataset_drift ?? false) } },
      h("td", {}, h("a", { href: monitoringHref(d.deployment) }, d.deployment)),
      ...(d.error !== undefined ? [h("td", { colspan: "9", class: "muted" }, `Not monitored: ${d.error}`)] : [
        h("td", { class: "num" }, String(d.rows ?? 0)),
        h("td", { class: "drifted" + (d.dataset_drift ? " bad" : "") }, d.drifted_features?.length ? d.drifted_features.join(", ") : "none"),
        h("td", { class: "predictions" + (d.prediction_drift?.drifted ? " bad" : "") }, d.prediction_drift ? (d.prediction_drift.drifted ? "drifted" : "ok") : "–"),
        h("td", { class: "quality" + (d.quality_issues?.length ? " bad" : "") }, d.quality_issues?.length ? d.quality_issues.join(", ") : "none"),
        h("td", { class: "num" }, String(d.performance?.labelled ?? 0)),
        h("td", { class: "num" }, metric(d.performance?.realised, "roc_auc")),
        h("td", { class: "num" }, metric(d.performance?.estimated, "roc_auc")),
        h("td", { class: "num" }, metric(d.performance?.baseline, "roc_auc")),
        h("td", { class: "num alerts" + (firing.get(d.deployment) ? " bad" : "") }, String(firing.get(d.deployment) ?? 0)),
      ])))));
    page.append(deployments.length ? table : h("p", { id: "monitoring" }, "No deployments yet: create one with kiln deploy create."),
      h("p", { class: "muted note" }, "Each deployment's first answering route, its logged traffic in the window against its model's training profile."));
  } catch (e) {
    page.append(errorBox((e as Error).message));
  }
  return page;
}

function performanceTable(p: Performance): HTMLElement {
  const keys = [...new Set([...Object.keys(p.realised), ...Object.keys(p.estimated)])].filter((k) => !k.endsWith("_sd")).sort();
  return h("table", { class: "grid", id: "performance" },
    h("thead", {}, h("tr", {}, ...["Metric", "Realised", "Estimated (CBPE)", "Baseline"].map((c, i) => h("th", i > 0 ? { class: "num" } : {}, c)))),
    h("tbody", {}, ...keys.map((k) => h("tr", { dataset: { metric: k } },
      h("td", {}, k),
      h("td", { class: "num realised" }, metric(p.realised, k)),
      h("td", { class: "num estimated" }, metric(p.estimated, k) + (p.estimated[`${k}_sd`] !== undefined ? ` ± ${p.estimated[`${k}_sd`].toFixed(4)}` : "")),
      h("td", { class: "num" }, metric(p.baseline, k))))));
}

function alertRows(alerts: Alert[], refresh: () => void): HTMLElement {
  if (!alerts.length) return h("p", { id: "alerts" }, "No alerts.");
  return h("table", { class: "grid", id: "alerts" },
    h("thead", {}, h("tr", {}, ...["Id", "State", "Severity", "Rule", "Message", "Fired", "Resolved", ""].map((c) => h("th", {}, c)))),
    h("tbody", {}, ...alerts.map((a) => h("tr", { dataset: { alert: String(a.id), state: a.state } },
      h("td", { class: "num" }, String(a.id)),
      h("td", { class: "state" + (a.state === "firing" ? " bad" : "") }, a.state + (a.acknowledged_by ? ` (${a.acknowledged_by})` : "")),
      h("td", {}, a.severity),
      h("td", {}, a.rule),
      h("td", {}, a.message),
      h("td", {}, formatTime(a.fired_at)),
      h("td", {}, formatTime(a.resolved_at)),
      h("td", {}, a.state === "firing" ? h("button", {
        class: "ack", onclick: async (ev: Event) => {
          (ev.target as HTMLButtonElement).disabled = true;
          await acknowledge(a.id);
          refresh();
        },
      }, "Acknowledge") : "")))));
}

/** One deployment over the window: drift per feature, data quality, performance, and its alerts with acknowledge. */
async function deploymentMonitorPage(name: string, window: string): Promise<HTMLElement> {
  const base = monitoringHref(name);
  const page = h("section", { class: "page" }, h("h1", {}, `Monitoring · ${name}`), windowLinks(base, window));
  try {
    const [s, { alerts }] = await Promise.all([snapshot(name, window), listAlerts(name)]);
    page.append(
      h("p", { id: "verdict", class: s.dataset_drift ? "bad" : "" },
        `${s.rows} logged rows on route ${s.route} (${s.model}) since ${formatTime(s.from)}: `,
        s.dataset_drift ? "the data set drifted" : "no data set drift",
        ` (${s.features.filter((f) => f.drifted).length} of ${s.features.length} features, threshold ${formatPercent(s.share_threshold)}). `,
        h("a", { href: `/api/kiln/deployments/${encodeURIComponent(name)}/drift.html?window=${window}`, target: "_blank" }, "Reference vs current distributions")),
      h("p", { id: "prediction-drift", class: s.prediction_drift?.drifted ? "bad" : "" }, s.prediction_drift
        ? `Predictions against the model's on its training rows: ${s.prediction_drift.method} ${typeof s.prediction_drift.score === "number" ? s.prediction_drift.score.toFixed(4) : s.prediction_drift.score}` +
          ` (threshold ${s.prediction_drift.threshold}), ${s.prediction_drift.drifted ? "drifted" : "no drift"}.`
        : "No prediction reference (a model trained elsewhere, or a multiclass model)."),
      h("h2", {}, "Over time"), historyCharts(s.history, s.from, s.to, s.features.filter((f) => f.drifted).map((f) => f.name)),
      h("h2", {}, "Alerts"), alertRows(alerts, () => { window_reload(); }),
      h("h2", {}, "Performance"),
      h("p", { class: "muted" }, `${s.performance.labelled} of ${s.rows} rows labelled` +
        (s.performance.mean_prediction !== undefined ? `; mean prediction ${s.performance.mean_prediction.toFixed(4)}` : "")),
      performanceTable(s.performance),
      h("h2", {}, "Drift per feature"),
      h("table", { class: "grid", id: "drift" },
        h("thead", {}, h("tr", {}, ...["Feature", "Kind", "Method", "Score", "Threshold", "Drifted"].map((c, i) => h("th", i === 3 || i === 4 ? { class: "num" } : {}, c)))),
        h("tbody", {}, ...s.features.map((f) => h("tr", { dataset: { feature: f.name, drifted: String(f.drifted) } },
          h("td", {}, f.name), h("td", {}, f.kind), h("td", {}, f.method),
          h("td", { class: "num" }, typeof f.score === "number" ? f.score.toFixed(4) : f.score),
          h("td", { class: "num" }, String(f.threshold)),
          h("td", { class: f.drifted ? "bad" : "" }, f.drifted ? "drifted" : "ok"))))),
      h("h2", {}, "Data quality"),
      h("table", { class: "grid", id: "quality" },
        h("thead", {}, h("tr", {}, ...["Feature", "Missing", "Missing in training", "Out of range", "Unseen", ""].map((c, i) => h("th", i >= 1 && i <= 4 ? { class: "num" } : {}, c)))),
        h("tbody", {}, ...s.quality.map((q) => h("tr", { dataset: { feature: q.name, issue: String(q.issue) } },
          h("td", {}, q.name), h("td", { class: "num" }, formatPercent(q.missing_share)), h("td", { class: "num" }, formatPercent(q.reference_missing_share)),
          h("td", { class: "num" }, formatPercent(q.out_of_range_share)),
          h("td", { class: "num" }, formatPercent(q.unseen_share) + (q.unseen.length ? ` (${q.unseen.join(", ")})` : "")),
          h("td", { class: q.issue ? "bad" : "" }, q.issue ? "issue" : "ok"))))));
  } catch (e) {
    page.append(errorBox((e as Error).message));
  }
  return page;
}

const num = (v: number | string | undefined) => (typeof v === "number" ? v : NaN);

/** Drift (share, and the drifted features' scores) and performance (estimated, realised) bucket by bucket. */
function historyCharts(points: HistoryPoint[], from: number, to: number, drifted: string[]): HTMLElement {
  if (!points.length) return h("p", { id: "history" }, "No traffic in the window.");
  // the x axis spans the whole window (0 to its length in hours), not just the buckets that had traffic; a little room past
  // the end keeps the last bucket's point (its end may round up past the window's) on the chart
  const hours = Math.max((to - from) / 3_600_000, ...points.map((p) => (p.end - from) / 3_600_000), 1 / 60);
  const span: [number, number] = [0, hours * 1.03];
  const xs = points.map((p) => (p.end - from) / 3_600_000);
  const times = points.map((p) => p.end);
  const line = (label: string, ys: number[]) => ({ label, xs, ys, times });
  return h("div", { id: "history", dataset: { points: String(points.length) } },
    lineChart("Drift", [line("drifted share", points.map((p) => p.drifted_share)),
      ...drifted.slice(0, 5).map((f) => line(`${f} score`, points.map((p) => num(p.scores[f]))))], "hours into the window", undefined, undefined, span),
    lineChart("Performance", [line("estimated accuracy", points.map((p) => num(p.estimated_accuracy))),
      line("realised accuracy", points.map((p) => num(p.realised_accuracy))), line("estimated roc_auc", points.map((p) => num(p.estimated_roc_auc)))],
      "hours into the window", undefined, undefined, span));
}

/** Renders the current page again (after an acknowledgement). */
function window_reload(): void {
  window.dispatchEvent(new HashChangeEvent("hashchange"));
}
