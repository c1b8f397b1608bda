import { errorBox, formatTime, h } from "../dom";
import { Route } from "../route";
import { allTraffic, Deployment, deploymentHref, DeploymentTraffic, formatRate, listDeployments, share } from "../serving";
import { deploymentPage } from "./deployment";

/** Every #/deployments/… route: the list or one deployment. */
export async function deploymentRoutes(route: Route): Promise<HTMLElement> {
  const [, name] = route.parts.map(decodeURIComponent);
  return name === undefined ? deploymentsPage() : deploymentPage(name);
}

/** Routes as chips: "champion 90%" for answering routes, "next shadow" for shadows. */
export function routeChips(d: Deployment): HTMLElement {
  return h("span", { class: "chips" }, ...d.routes.map((r) =>
    h("span", { class: "chip" + (r.shadow ? " shadow" : ""), title: r.model, dataset: { route: r.name, weight: String(r.weight), shadow: String(r.shadow) } },
      `${r.name} ${share(r, d.routes)}`)));
}

/** The deployments: each one's routes and weights, its replicas, and its traffic now (summed over its routes and live replicas). */
async function deploymentsPage(): Promise<HTMLElement> {
  const page = h("section", { class: "page" }, h("h1", {}, "Deployments"));
  try {
    const [{ deployments }, traffic] = await Promise.all([listDeployments(), allTraffic().catch(() => ({ time: 0, deployments: [] as DeploymentTraffic[] }))]);
    const byName = new Map(traffic.deployments.map((t) => [t.name, t]));
    const table = h("table", { class: "grid", id: "deployments" },
      h("thead", {}, h("tr", {}, ...["Name", "Version", "Routes", "Replicas", "Requests/s", "Errors", "Updated"].map((c) => h("th", {}, c)))));
    table.append(h("tbody", {}, ...deployments.map((d) => {
      const t = byName.get(d.name);
      const rate = t?.routes.reduce((n, r) => n + r.requests_per_second, 0) ?? 0;
      const errors = t?.routes.reduce((n, r) => n + r.recent_errors, 0) ?? 0;
      return h("tr", { dataset: { deployment: d.name } },
        h("td", {}, h("a", { href: deploymentHref(d.name) }, d.name)),
        h("td", { class: "num" }, `v${d.version}`),
        h("td", {}, routeChips(d)),
        h("td", { class: "replicas" }, t ? `${t.live_replicas} live` + (t.stale_replicas ? `, ${t.stale_replicas} stale` : "") : "none"),
        h("td", { class: "num rate" }, formatRate(rate)),
        h("td", { class: "num errors" + (errors ? " bad" : "") }, String(errors)),
        h("td", {}, formatTime(d.updated_at)));
    })));
    page.append(deployments.length ? table
      : h("p", { id: "deployments" }, "No deployments yet: create one with kiln deploy create NAME --route champion=models:/MODEL@champion."),
      h("p", { class: "muted note" }, "Requests/s and errors are over the last 30 seconds or so, summed over each deployment's live replicas."));
  } catch (e) {
    page.append(errorBox((e as Error).message));
  }
  return page;
}
