import { DatasetVersion, diffHref, listSchemas, listValidations, listVersions, shortId, versionHref } from "../data";
import { chips, errorBox, formatBytes, formatTime, h } from "../dom";
import { remember, Route } from "../route";
import { validationsTable } from "./validation";

/** Two version pickers and a link to their diff; the picked pair is kept in the URL (?from=…&to=…). */
function comparer(route: Route, name: string, versions: DatasetVersion[]): HTMLElement {
  if (versions.length < 2) return h("p", { class: "muted" }, `One version: add another with kiln data add ${name} PATH to compare them.`);
  const ids = versions.map((v) => v.version_id);
  const pick = (id: string, wanted: string | null, fallback: string) => {
    const chosen = wanted && ids.includes(wanted) ? wanted : fallback;
    return h("select", { id, "aria-label": id === "compare-from" ? "compare from" : "compare to" },
      ...versions.map((v) => h("option", { value: v.version_id, selected: v.version_id === chosen }, `${shortId(v.version_id)} · ${v.message || "(no message)"}`))) as HTMLSelectElement;
  };
  const from = pick("compare-from", route.query.get("from"), ids[1]);
  const to = pick("compare-to", route.query.get("to"), ids[0]);
  const link = h("a", { class: "button", id: "compare" }, "Compare");
  const update = (save: boolean) => {
    link.setAttribute("href", diffHref(name, from.value, to.value));
    if (save) remember(route, { from: from.value, to: to.value });
  };
  from.addEventListener("change", () => update(true));
  to.addEventListener("change", () => update(true));
  update(false);
  return h("div", { class: "toolbar" }, h("label", {}, "From ", from), h("label", {}, "to ", to), link);
}

/** A dataset: its versions newest first, a diff of any two, its stored validations and its current schema. */
export async function datasetPage(route: Route, name: string): Promise<HTMLElement> {
  const page = h("section", { class: "page" }, h("p", { class: "crumbs" }, h("a", { href: "#/datasets" }, "Datasets"), ` / ${name}`), h("h1", {}, name));
  let versions: DatasetVersion[];
  try {
    versions = (await listVersions(name)).versions;
  } catch (e) {
    page.append(errorBox((e as Error).message));
    return page;
  }
  const [validations, schemas] = await Promise.allSettled([listValidations(name), listSchemas(name)]);

  const table = h("table", { class: "grid", id: "versions" }, h("thead", {}, h("tr", {},
    ...["Version", "Message", "User", "Created", "Files", "Bytes", "Tags"].map((c) => h("th", {}, c)))));
  table.append(h("tbody", {}, ...versions.map((v) => h("tr", { dataset: { versionId: v.version_id } },
    h("td", {}, h("a", { href: versionHref(name, v.version_id), class: "mono" }, shortId(v.version_id))),
    h("td", { class: "wrap" }, v.message),
    h("td", {}, v.user_id),
    h("td", {}, formatTime(v.created_at)),
    h("td", { class: "num" }, String(v.file_count)),
    h("td", { class: "num" }, formatBytes(v.total_bytes)),
    h("td", {}, chips(v.tags))))));
  page.append(h("h2", {}, `Versions (${versions.length})`),
    versions.length ? table : h("p", {}, `No versions yet: add one with kiln data add ${name} PATH.`), comparer(route, name, versions));

  page.append(h("h2", {}, "Validations"), validations.status === "fulfilled"
    ? validationsTable(name, validations.value.validations, `No validations yet: kiln data validate ${name} latest --against VERSION.`)
    : errorBox((validations.reason as Error).message));

  const current = schemas.status === "fulfilled" ? schemas.value.schemas[0] : undefined;
  page.append(h("h2", {}, "Schema"), schemas.status === "rejected" ? errorBox((schemas.reason as Error).message)
    : current ? h("div", { id: "schema" }, h("p", { class: "muted" }, `${shortId(current.schema_id)} · saved by ${current.user_id} · ${formatTime(current.created_at)}`), h("pre", {}, current.yaml))
      : h("p", { id: "schema" }, `No schema yet: kiln data schema infer ${name} --save.`));
  return page;
}
