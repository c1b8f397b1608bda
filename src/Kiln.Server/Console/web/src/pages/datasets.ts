import { datasetHref, listDatasets, shortId, versionHref } from "../data";
import { errorBox, formatTime, h } from "../dom";
import { Route } from "../route";
import { datasetPage } from "./dataset";
import { diffPage } from "./diff";
import { validationPage } from "./validation";
import { versionPage } from "./version";

/** Every #/datasets/… route: the list, a dataset, one of its versions, the diff of two, or a stored validation. */
export async function datasetRoutes(route: Route): Promise<HTMLElement> {
  const [, name, section, id] = route.parts.map(decodeURIComponent);
  if (name === undefined) return datasetsPage();
  if (section === undefined) return datasetPage(route, name);
  if (section === "versions" && id !== undefined) return versionPage(name, id);
  if (section === "diff") return diffPage(name, route.query.get("from") ?? "", route.query.get("to") ?? "latest");
  if (section === "validations" && id !== undefined) return validationPage(name, id);
  return errorBox(`No page ${route.path}`);
}

/** The dataset list: each dataset's name, how many versions it has and its latest one. */
async function datasetsPage(): Promise<HTMLElement> {
  const page = h("section", { class: "page" }, h("h1", {}, "Datasets"));
  try {
    const { datasets } = await listDatasets();
    const table = h("table", { class: "grid", id: "datasets" },
      h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Versions"), h("th", {}, "Latest version"), h("th", {}, "Latest message"), h("th", {}, "Created"))));
    table.append(h("tbody", {}, ...datasets.map((d) => h("tr", { dataset: { dataset: d.name } },
      h("td", {}, h("a", { href: datasetHref(d.name) }, d.name)),
      h("td", { class: "num" }, String(d.version_count)),
      h("td", {}, d.latest ? h("a", { href: versionHref(d.name, d.latest.version_id), class: "mono" }, shortId(d.latest.version_id)) : "—"),
      h("td", {}, d.latest?.message ?? ""),
      h("td", {}, formatTime(d.created_at))))));
    page.append(datasets.length ? table : h("p", {}, "No datasets yet: version a file or folder with kiln data add NAME PATH."));
  } catch (e) {
    page.append(errorBox((e as Error).message));
  }
  return page;
}
