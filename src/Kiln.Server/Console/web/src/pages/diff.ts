import { ColumnChange, datasetHref, diffVersions, FileChange, num, shortId, versionHref } from "../data";
import { errorBox, formatBytes, formatPercent, formatStat, h } from "../dom";

/** "before → after", or the one value when both sides agree; a side the column does not have is "—". */
function pair<T>(before: T | null | undefined, after: T | null | undefined, show: (v: T) => string): string {
  const [b, a] = [before === null || before === undefined ? "—" : show(before), after === null || after === undefined ? "—" : show(after)];
  return a === b ? a : `${b} → ${a}`;
}

/** A changed table's columns: statistics before and after and the distance between the distributions; changed rows highlighted. */
function columnsTable(columns: ColumnChange[]): HTMLElement {
  const table = h("table", { class: "grid columns" }, h("thead", {}, h("tr", {},
    ...["Column", "Change", "Kind", "Missing", "Distinct", "Mean", "Distance"].map((c) => h("th", {}, c)))));
  table.append(h("tbody", {}, ...columns.map((c) => h("tr", { class: c.change === "same" ? undefined : "differs", dataset: { column: c.column, change: c.change } },
    h("th", {}, c.column), h("td", {}, c.change.replace("_", " ")),
    h("td", {}, pair(c.kind_before, c.kind_after, String)),
    h("td", { class: "num" }, pair(c.missing_before, c.missing_after, (v) => formatPercent(num(v)))),
    h("td", { class: "num" }, pair(c.distinct_before, c.distinct_after, String)),
    h("td", { class: "num" }, pair(c.mean_before, c.mean_after, (v) => formatStat(v))),
    h("td", { class: "num" }, c.distance === null || c.distance === undefined ? "" : `${formatStat(c.distance, 3)} (${c.method ?? ""})`)))));
  return table;
}

function changedTable(f: FileChange): HTMLElement {
  return h("section", { class: "table-diff", dataset: { path: f.path } }, h("h3", {}, f.path),
    f.table ? h("p", { class: "note" }, f.table) : null, f.columns?.length ? columnsTable(f.columns) : null);
}

/** Two versions of a dataset compared: files added, removed and changed, and for changed tables every column before and after. */
export async function diffPage(name: string, from: string, to: string): Promise<HTMLElement> {
  const page = h("section", { class: "page" }, h("p", { class: "crumbs" }, h("a", { href: "#/datasets" }, "Datasets"), " / ", h("a", { href: datasetHref(name) }, name), " / diff"));
  if (!from) {
    page.append(h("h1", {}, `Diff of ${name}`), h("p", {}, "Pick the two versions to compare on the ", h("a", { href: datasetHref(name) }, "dataset's page"), "."));
    return page;
  }
  let diff: Awaited<ReturnType<typeof diffVersions>>;
  try {
    diff = await diffVersions(name, from, to);
  } catch (e) {
    page.append(h("h1", {}, `Diff of ${name}`), errorBox((e as Error).message));
    return page;
  }
  const link = (id: string) => h("a", { href: versionHref(name, id), class: "mono" }, shortId(id));
  page.append(h("h1", {}, `Diff of ${name}`), h("p", { id: "range" }, "From ", link(diff.from), " to ", link(diff.to)));
  if (!diff.changes.length) {
    page.append(h("p", {}, "The two versions hold the same files."));
    return page;
  }
  const files = h("table", { class: "grid", id: "changes" }, h("thead", {}, h("tr", {}, ...["Path", "Change", "Size before", "Size after"].map((c) => h("th", {}, c)))),
    h("tbody", {}, ...diff.changes.map((c) => h("tr", { dataset: { path: c.path, change: c.change } }, h("td", {}, c.path), h("td", {}, h("span", { class: "badge " + c.change }, c.change)),
      h("td", { class: "num" }, formatBytes(c.old_size) || "—"), h("td", { class: "num" }, formatBytes(c.new_size) || "—")))));
  page.append(h("h2", {}, `Files (${diff.changes.length})`), files);
  const tables = diff.changes.filter((c) => c.change === "changed" && (c.table || c.columns?.length));
  if (tables.length) page.append(h("h2", {}, "Tables"), ...tables.map(changedTable));
  return page;
}
