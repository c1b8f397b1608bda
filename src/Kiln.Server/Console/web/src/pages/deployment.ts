import { errorBox, formatTime, h } from "../dom";
import { RateSeries, rateChart } from "../rates";
import { modelVersionHref } from "../registry";
import {
  Deployment, deploymentHistory, formatMs, formatRate, getDeployment, Replica, Replicas, deploymentReplicas, rollbackDeployment, RouteRate, share,
} from "../serving";
import { routeChips } from "./deployments";

const message = (e: unknown) => (e as Error).message;
/** How often the page asks for the replicas' latest heartbeats while it is shown. */
const refreshMs = 2000;
/** Rate samples kept for the chart (about five minutes). */
const keep = 150;

/** A deployment: its routes and weights with their live traffic, its replicas and the version each serves, its history, and Rollback. */
export async function deploymentPage(name: string): Promise<HTMLElement> {
  const page = h("section", { class: "page" });
  await fill(page, name);
  return page;
}

/** (Re)draws the page from the server, then keeps its traffic and replicas current until the page is left. */
async function fill(page: HTMLElement, name: string, notice?: HTMLElement): Promise<void> {
  const crumbs = h("p", { class: "crumbs" }, h("a", { href: "#/deployments" }, "Deployments"), ` / ${name}`);
  let deployment: Deployment;
  try {
    deployment = (await getDeployment(name)).deployment;
  } catch (e) {
    page.replaceChildren(crumbs, errorBox(message(e)));
    return;
  }
  const [history, replicas] = await Promise.allSettled([deploymentHistory(name), deploymentReplicas(name)]);
  const versions = history.status === "fulfilled" ? history.value.versions : [];
  const traffic = h("div", { id: "traffic" });
  const replicaBox = h("div", { id: "replica-box" });
  const series: RateSeries[] = deployment.routes.filter((r) => !r.shadow).map((r) => ({ label: r.name, points: [] }));
  const chartBox = h("div", { class: "charts" });
  const show = (r: Replicas) => {
    traffic.replaceChildren(routesTable(deployment, r));
    replicaBox.replaceChildren(replicasTable(r.replicas));
    for (const s of series) {
      const rate = r.routes.find((x) => x.route === s.label)?.requests_per_second ?? 0;
      s.points.push({ time: r.time, rate });
      if (s.points.length > keep) s.points.shift();
    }
    chartBox.replaceChildren(rateChart(series));
  };
  if (replicas.status === "fulfilled") show(replicas.value);
  else traffic.replaceChildren(routesTable(deployment, undefined), errorBox(message(replicas.reason)));

  page.replaceChildren(crumbs,
    h("h1", {}, name),
    h("p", { class: "muted" }, `version ${deployment.version} · updated ${formatTime(deployment.updated_at)} by ${deployment.user} · served at `,
      h("code", {}, `/deployments/${name}/invocations`), " · ", routeChips(deployment)),
    actions(name, versions, (note) => fill(page, name, note), notice),
    h("h2", {}, "Routes"), traffic, chartBox,
    h("h2", {}, "Replicas"), replicaBox,
    h("h2", {}, `History (${versions.length})`), history.status === "rejected" ? errorBox(message(history.reason)) : historyTable(versions));

  // the traffic and the replicas follow the heartbeats while the page is shown; leaving it, or redrawing it, ends this loop
  const drawn = page.firstChild;
  let [shown, ticks] = [false, 0];
  const timer = window.setInterval(async () => {
    shown ||= page.isConnected;
    if (page.firstChild !== drawn || (shown && !page.isConnected) || (!shown && ++ticks > 15)) {
      window.clearInterval(timer);
      return;
    }
    try {
      show(await deploymentReplicas(name));
    } catch {
      // a failed refresh keeps the last figures; the next one tries again
    }
  }, refreshMs);
}

/** Rollback: asks first (naming the routes it would restore), then the server restores the previous version's routes as a new version. */
function actions(name: string, versions: Deployment[], reload: (note: HTMLElement) => Promise<void>, notice?: HTMLElement): HTMLElement {
  const result = h("div", { id: "action-result" }, notice ?? null);
  const [current, previous] = versions;
  const button = h("button", { id: "rollback", type: "button", disabled: previous === undefined }, "Rollback") as HTMLButtonElement;
  button.addEventListener("click", async () => {
    if (!current || !previous) return;
    const routes = previous.routes.map((r) => `${r.name}=${r.model} ${share(r, previous.routes)}`).join(", ");
    if (!window.confirm(`Roll back ${name} from version ${current.version} to the routes of version ${previous.version} (${routes})?`)) return;
    button.disabled = true;
    try {
      const r = await rollbackDeployment(name);
      await reload(h("div", { class: "notice", role: "status" }, `${name}: version ${r.deployment.version} restores the routes of version ${previous.version}.`));
    } catch (e) {
      result.replaceChildren(errorBox(message(e)));
      button.disabled = false;
    }
  });
  return h("section", { id: "actions", class: "actions" },
    h("div", { class: "toolbar" }, h("strong", {}, "Rollback"),
      previous ? h("span", {}, `to the routes of version ${previous.version}`) : h("span", { class: "muted" }, "only one version: nothing to roll back to"), button),
    result);
}

/** Each route: model, weight and share; the versions its live replicas serve; its rate, latency and errors now, and its totals. */
function routesTable(d: Deployment, r: Replicas | undefined): HTMLElement {
  const rates = new Map((r?.routes ?? []).map((x) => [x.route, x]));
  const live = (r?.replicas ?? []).filter((x) => x.status === "live");
  const table = h("table", { class: "grid", id: "routes" }, h("thead", {}, h("tr", {},
    ...["Route", "Model", "Weight", "Traffic", "Serving", "Requests/s", "p50", "p95", "Errors", "Requests", "Errors total"].map((c) => h("th", {}, c)))));
  table.append(h("tbody", {}, ...d.routes.map((route) => {
    const rate: RouteRate | undefined = rates.get(route.name);
    const served = [...new Set(live.flatMap((x) => x.routes.filter((y) => y.route === route.name && y.model_version !== undefined).map((y) => `${y.model_name}/${y.model_version}`)))];
    const failures = live.flatMap((x) => x.routes.filter((y) => y.route === route.name && y.load_failure).map((y) => y.load_failure!));
    return h("tr", { dataset: { route: route.name, shadow: String(route.shadow) } },
      h("td", {}, route.name),
      h("td", { class: "mono" }, route.model,
        route.flavor ? h("span", { class: "chip flavor", title: "the model's flavor, as this server loaded it" }, route.flavor) : null,
        route.mean_batch_rows !== undefined ? h("span", { class: "muted batch", title: "adaptive batching: mean rows per call" }, ` batches of ${route.mean_batch_rows.toFixed(1)}`) : null),
      h("td", { class: "num weight" }, route.shadow ? "—" : String(route.weight)),
      h("td", { class: "share" }, share(route, d.routes)),
      h("td", { class: "serving" }, ...served.map((s) => { const [m, v] = s.split("/"); return h("a", { class: "chip", href: modelVersionHref(m, v), dataset: { version: v } }, `${m} v${v}`); }),
        served.length ? null : h("span", { class: "muted" }, live.length ? "not loaded yet" : "no live replica"),
        ...failures.slice(0, 1).map((f) => h("span", { class: "badge failed", title: f }, "load failed"))),
      h("td", { class: "num rate" }, formatRate(rate?.requests_per_second)),
      h("td", { class: "num p50" }, formatMs(rate?.p50_ms)),
      h("td", { class: "num p95" }, formatMs(rate?.p95_ms)),
      h("td", { class: "num errors" + (rate?.recent_errors ? " bad" : "") }, String(rate?.recent_errors ?? 0)),
      h("td", { class: "num requests" }, String(rate?.requests ?? 0)),
      h("td", { class: "num" }, String(rate?.errors ?? 0)));
  })));
  return h("div", {}, table, h("p", { class: "muted note" },
    `Requests/s, p50, p95 and errors: the last ${r?.live_within_seconds ?? 30} seconds or so across the live replicas (refreshed every ${refreshMs / 1000} s); totals since each replica started.`));
}

/** Each replica: live or stale, the version it serves per route, its traffic, when it started and last reported. */
function replicasTable(replicas: Replica[]): HTMLElement {
  if (!replicas.length) return h("p", { id: "replicas" }, "No replica has reported yet: kiln server serves every deployment; kiln serve --deployment NAME serves one.");
  const table = h("table", { class: "grid", id: "replicas" }, h("thead", {}, h("tr", {},
    ...["Replica", "Host", "Status", "Serving", "Requests/s", "Requests", "Errors", "Started", "Last seen"].map((c) => h("th", {}, c)))));
  table.append(h("tbody", {}, ...replicas.map((x) => h("tr", { dataset: { replica: x.replica, status: x.status } },
    h("td", { class: "mono" }, x.replica),
    h("td", {}, x.host),
    h("td", {}, h("span", { class: "badge " + (x.status === "live" ? "passed" : "warning") }, x.status)),
    h("td", { class: "serving" }, ...x.routes.map((r) => h("span", { class: "chip", dataset: { route: r.route, version: r.model_version === undefined ? "" : String(r.model_version) }, title: r.load_failure ?? r.model },
      `${r.route}: ${r.model_version !== undefined ? `${r.model_name} v${r.model_version}` : r.loaded_at ? r.model : "not loaded"}${r.load_failure ? " (load failed)" : ""}`))),
    h("td", { class: "num" }, formatRate(x.routes.reduce((n, r) => n + r.requests_per_second, 0))),
    h("td", { class: "num" }, String(x.routes.reduce((n, r) => n + r.requests, 0))),
    h("td", { class: "num" }, String(x.routes.reduce((n, r) => n + r.errors, 0))),
    h("td", {}, formatTime(x.started_at)),
    h("td", { class: "seen" }, formatTime(x.last_seen))))));
  return table;
}

/** Every version, newest first; the current one marked. */
function historyTable(versions: Deployment[]): HTMLElement {
  const table = h("table", { class: "grid", id: "history" }, h("thead", {}, h("tr", {}, ...["Version", "Routes", "Updated", "User"].map((c) => h("th", {}, c)))));
  table.append(h("tbody", {}, ...versions.map((v, i) => h("tr", { dataset: { version: String(v.version), current: String(i === 0) } },
    h("td", {}, `v${v.version}`, i === 0 ? h("span", { class: "badge passed" }, "current") : null),
    h("td", { class: "wrap" }, v.routes.map((r) => `${r.name}=${r.model} ${share(r, v.routes)}`).join(", ")),
    h("td", {}, formatTime(v.updated_at)),
    h("td", {}, v.user)))));
  return table;
}
