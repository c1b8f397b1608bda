import { chips, errorBox, formatTime, h } from "../dom";
import { lineageGraph } from "../lineage";
import { card, getModelVersion, lineage, modelHref, ModelVersion, runHref } from "../registry";
import { aliasChips } from "./models";

/** A model version: where it came from, its lineage as a graph, and its model card (rendered in a sandboxed frame, downloadable as Markdown). */
export async function modelVersionPage(name: string, version: string): Promise<HTMLElement> {
  const page = h("section", { class: "page" }, h("p", { class: "crumbs" }, h("a", { href: "#/models" }, "Models"), " / ",
    h("a", { href: modelHref(name) }, name), ` / version ${version}`));
  let v: ModelVersion;
  try {
    v = (await getModelVersion(name, version)).model_version;
  } catch (e) {
    page.append(errorBox((e as Error).message));
    return page;
  }
  const [graph, modelCard] = await Promise.allSettled([lineage(name, v.version), card(name, v.version)]);

  const row = (label: string, ...value: (Node | string)[]) => h("tr", {}, h("th", {}, label), h("td", {}, ...value));
  page.append(h("h1", {}, `${name} version ${v.version}`),
    h("p", { id: "description", class: "wrap" }, v.description || h("span", { class: "muted" }, "No description.")),
    h("table", { class: "kv", id: "facts" }, h("tbody", {},
      row("Source", h("span", { class: "mono" }, v.source)),
      row("Run", v.run_id ? h("a", { href: runHref(v.run_id), class: "mono", id: "run-link" }, v.run_id) : h("span", { class: "muted" }, "not from a run")),
      row("Aliases", v.aliases?.length ? aliasChips(name, v.aliases.map((a) => ({ alias: a, version: v.version }))) : h("span", { class: "muted" }, "none")),
      row("Stage", v.current_stage),
      row("Status", v.status),
      row("Created", `${formatTime(v.creation_timestamp)}${v.user_id ? ` by ${v.user_id}` : ""}`),
      row("Tags", v.tags?.length ? chips(Object.fromEntries(v.tags.map((t) => [t.key, t.value]))) : h("span", { class: "muted" }, "none")))));

  const section = h("section", { id: "lineage" }, h("h2", {}, "Lineage"));
  if (graph.status === "rejected") section.append(errorBox((graph.reason as Error).message));
  else {
    section.append(h("div", { class: "lineage-graph" }, lineageGraph(graph.value)),
      h("p", { class: "muted note" }, "Left to right: the data the training run read (with its newest validation), the run, this version and its aliases. "
        + "Dashed: the evaluations of this version (kiln evaluate, and both sides of gates). Every box opens its page."));
    if (!graph.value.source_run) section.append(h("p", { class: "muted" }, "The source is not a Kiln run, so the training data is not known."));
  }
  page.append(section);

  const cardSection = h("section", { id: "card" }, h("h2", {}, "Model card"));
  if (modelCard.status === "rejected") cardSection.append(errorBox((modelCard.reason as Error).message));
  else {
    const file = `${name}-v${v.version}-card.md`.replace(/[^\w.-]+/g, "_");
    cardSection.append(
      h("p", {}, h("a", { href: `data:text/markdown;charset=utf-8,${encodeURIComponent(modelCard.value.markdown)}`, download: file, id: "card-markdown" }, `Download ${file}`)),
      // sandbox="" runs no script and gives the card an opaque origin: it is HTML built from the registry's text
      h("iframe", { srcdoc: modelCard.value.html, sandbox: "", class: "card-frame", title: `model card of ${name} version ${v.version}` }));
  }
  page.append(cardSection);
  return page;
}
