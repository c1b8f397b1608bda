import { errorBox, formatTime, h } from "../dom";
import { latestVersion, modelHref, modelVersionHref, searchModels } from "../registry";
import { Route } from "../route";
import { modelPage } from "./model";
import { modelVersionPage } from "./modelversion";

/** Every #/models/… route: the list, a model, or one of its versions. */
export async function modelRoutes(route: Route): Promise<HTMLElement> {
  const [, name, section, version] = route.parts.map(decodeURIComponent);
  if (name === undefined) return modelsPage();
  if (section === undefined) return modelPage(name);
  if (section === "versions" && version !== undefined) return modelVersionPage(name, version);
  return errorBox(`No page ${route.path}`);
}

/** Aliases as chips: "champion → v3", each a link to the version it points at. */
export function aliasChips(name: string, aliases: { alias: string; version: string | number }[]): HTMLElement {
  return h("span", { class: "chips" }, ...aliases.map((a) =>
    h("a", { class: "chip alias", href: modelVersionHref(name, a.version), dataset: { alias: a.alias, version: String(a.version) }, title: `models:/${name}@${a.alias}` },
      `${a.alias} → v${a.version}`)));
}

/** The registered models: each one's newest version, its aliases, when it last changed and its description. */
async function modelsPage(): Promise<HTMLElement> {
  const page = h("section", { class: "page" }, h("h1", {}, "Models"));
  try {
    const { registered_models: models = [], next_page_token } = await searchModels();
    const table = h("table", { class: "grid", id: "models" },
      h("thead", {}, h("tr", {}, ...["Name", "Latest version", "Aliases", "Last updated", "Description"].map((c) => h("th", {}, c)))));
    table.append(h("tbody", {}, ...models.map((m) => {
      const latest = latestVersion(m);
      return h("tr", { dataset: { model: m.name } },
        h("td", {}, h("a", { href: modelHref(m.name) }, m.name)),
        h("td", {}, latest ? h("a", { href: modelVersionHref(m.name, latest) }, `v${latest}`) : "—"),
        h("td", {}, aliasChips(m.name, m.aliases ?? [])),
        h("td", {}, formatTime(m.last_updated_timestamp)),
        h("td", { class: "wrap" }, m.description ?? ""));
    })));
    page.append(models.length ? table
      : h("p", { id: "models" }, "No registered models yet: register a trained run's model with kiln models register NAME runs:/RUN_ID/model."));
    if (next_page_token) page.append(h("p", { class: "muted" }, "The first 1,000 models by name; kiln models list --filter narrows them."));
  } catch (e) {
    page.append(errorBox((e as Error).message));
  }
  return page;
}
