import { categoryBars, histogram } from "../bars";
import { ColumnStats, datasetHref, fileUrl, getVersion, listValidations, num, shortId, TableStats, versionLineage, versionStats } from "../data";
import { chips, errorBox, formatBytes, formatPercent, formatStat, formatTime, h } from "../dom";
import { validationsTable } from "./validation";

/** A column's chart: a histogram for numbers, the ten most frequent categories, or a note for text. */
function columnChart(c: ColumnStats): HTMLElement {
  const bins = c.numeric?.histogram;
  if (bins && bins.counts.length) return histogram(c.name, bins.edges.map(num), bins.counts);
  if (c.categorical) {
    const top = [...c.categorical.categories].sort((a, b) => b.count - a.count).slice(0, 10);
    return categoryBars(c.name, top, c.count - c.missingCount);
  }
  return h("figure", { class: "chart mini" }, h("figcaption", {}, c.name),
    h("p", { class: "muted" }, c.text ? `text: ${c.text.distinctCount} distinct values` : "no values to chart"));
}

/** One table file of the version: its columns' statistics in a table, then a small chart per column. */
function tableStats(t: TableStats): HTMLElement {
  const cols = t.profile.columns;
  const table = h("table", { class: "grid columns" }, h("thead", {}, h("tr", {},
    ...["Column", "Kind", "Count", "Missing", "Distinct", "Min", "Max", "Mean", "Std"].map((c) => h("th", {}, c)))));
  table.append(h("tbody", {}, ...cols.map((c) => h("tr", { dataset: { column: c.name } },
    h("th", {}, c.name), h("td", {}, c.kind.toLowerCase()),
    h("td", { class: "num" }, String(c.count)),
    h("td", { class: "num" }, formatPercent(c.count ? c.missingCount / c.count : 0)),
    h("td", { class: "num" }, String(c.text?.distinctCount ?? c.distinctEstimate)),
    ...[c.numeric?.min, c.numeric?.max, c.numeric?.mean, c.numeric?.standardDeviation].map((v) => h("td", { class: "num" }, formatStat(v)))))));
  return h("section", { class: "table-stats", dataset: { path: t.path } },
    h("h3", {}, t.path, h("span", { class: "muted" }, ` · ${t.profile.rowCount} rows, ${cols.length} columns`)),
    table, h("div", { class: "charts" }, ...cols.map(columnChart)));
}

/** A version: what it is, its files, each table's statistics, the runs that read it and its validations. */
export async function versionPage(name: string, version: string): Promise<HTMLElement> {
  const page = h("section", { class: "page" }, h("p", { class: "crumbs" }, h("a", { href: "#/datasets" }, "Datasets"), " / ", h("a", { href: datasetHref(name) }, name)));
  let info: Awaited<ReturnType<typeof getVersion>>;
  try {
    info = await getVersion(name, version);
  } catch (e) {
    page.append(errorBox((e as Error).message));
    return page;
  }
  const v = info.version, id = v.version_id;
  page.append(h("h1", {}, `${name} ${shortId(id)}`),
    h("p", { id: "message" }, v.message || h("span", { class: "muted" }, "No message.")),
    h("p", { class: "muted" }, `${v.user_id} · ${formatTime(v.created_at)} · ${v.file_count} file(s), ${formatBytes(v.total_bytes)} · ${id} `, chips(v.tags)));
  const files = h("table", { class: "grid", id: "files" }, h("thead", {}, h("tr", {}, ...["Path", "Size", "Hash"].map((c) => h("th", {}, c)))),
    h("tbody", {}, ...info.files.map((f) => h("tr", {}, h("td", {}, h("a", { href: fileUrl(name, id, f.path), download: f.path.split("/").pop() }, f.path)),
      h("td", { class: "num" }, formatBytes(f.size)), h("td", { class: "mono", title: f.hash }, shortId(f.hash))))));
  page.append(h("h2", {}, "Files"), files);

  const [stats, lineage, validations] = await Promise.allSettled([versionStats(name, id), versionLineage(name, id), listValidations(name, id)]);
  const statistics = h("section", { id: "statistics" }, h("h2", {}, "Statistics"));
  if (stats.status === "rejected") statistics.append(errorBox((stats.reason as Error).message));
  else if (!stats.value.tables.length) statistics.append(h("p", {}, "No CSV or Parquet tables in this version: there are no column statistics."));
  else statistics.append(...stats.value.tables.map(tableStats));
  page.append(statistics);

  const runs = h("section", { id: "lineage" }, h("h2", {}, "Runs that read this version"));
  if (lineage.status === "rejected") runs.append(errorBox((lineage.reason as Error).message));
  else if (!lineage.value.runs.length) runs.append(h("p", {}, `No runs read it yet: train on it with kiln train --data datasets:/${name}/${shortId(id)} --target COLUMN.`));
  else runs.append(h("ul", {}, ...lineage.value.runs.map((r) => h("li", {}, h("a", { href: `#/runs/${encodeURIComponent(r.run_id)}` }, r.run_name || r.run_id),
    h("span", { class: "muted" }, ` · ${r.status.toLowerCase()}${r.context ? ` · ${r.context}` : ""} · experiment ${r.experiment_id}`)))));
  page.append(runs);

  page.append(h("h2", {}, "Validations"), validations.status === "rejected" ? errorBox((validations.reason as Error).message)
    : validationsTable(name, validations.value.validations, `Not validated yet: kiln data validate ${name} ${shortId(id)} --against VERSION.`));
  return page;
}
