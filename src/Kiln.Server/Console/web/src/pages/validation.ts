import { pairedBars } from "../bars";
import { Comparison, datasetHref, getValidation, num, reportUrl, shortId, Validation, validationHref, ValidationSummary, versionHref } from "../data";
import { errorBox, formatStat, formatTime, h } from "../dom";

/** Stored validations, each a link to its page (shared by the dataset and version pages). */
export function validationsTable(name: string, validations: ValidationSummary[], empty: string): HTMLElement {
  if (!validations.length) return h("p", { class: "validations" }, empty);
  const table = h("table", { class: "grid validations" }, h("thead", {}, h("tr", {},
    ...["Validation", "Version", "Against", "Errors", "Warnings", "Time"].map((c) => h("th", {}, c)))));
  table.append(h("tbody", {}, ...validations.map((v) => h("tr", { class: v.errors ? "failed" : undefined },
    h("td", {}, h("a", { href: validationHref(name, v.id), class: "mono", title: v.id }, v.id.slice(0, 12))),
    h("td", {}, h("a", { href: versionHref(name, v.version_id), class: "mono" }, shortId(v.version_id))),
    h("td", {}, v.against_version_id ? h("a", { href: versionHref(name, v.against_version_id), class: "mono" }, shortId(v.against_version_id)) : "—"),
    h("td", { class: "num" }, String(v.errors)),
    h("td", { class: "num" }, String(v.warnings)),
    h("td", {}, formatTime(v.created_at))))));
  return table;
}

const finite = (values: (number | string)[]) => values.map((v) => (Number.isFinite(num(v)) ? num(v) : 0));

/** One compared column: reference and current shares per bin or category (the 15 largest), outlined red when shifted. */
function comparisonChart(c: Comparison, withFile: boolean): HTMLElement {
  const d = c.distribution;
  const threshold = c.threshold === undefined ? "" : `, threshold ${formatStat(c.threshold, 3)}`;
  const caption = [h("strong", {}, withFile ? `${c.file} · ${c.column}` : c.column), h("span", { class: "muted" }, `${d.method} distance ${formatStat(d.distance, 3)}${threshold}`),
    c.shifted ? h("span", { class: "badge failed" }, "shifted") : null].filter((x): x is HTMLElement => x !== null);
  const n = Math.min(15, d.labels.length);
  const chart = pairedBars(caption, d.labels.slice(0, n), finite(d.reference.slice(0, n)), finite(d.current.slice(0, n)), c.shifted);
  chart.dataset.column = c.column;
  return chart;
}

/** A stored validation: passed or failed, the anomalies with their evidence, and each compared column's distributions. */
export async function validationPage(name: string, id: string): Promise<HTMLElement> {
  const page = h("section", { class: "page" }, h("p", { class: "crumbs" }, h("a", { href: "#/datasets" }, "Datasets"), " / ",
    h("a", { href: datasetHref(name) }, name), ` / validation ${id.slice(0, 12)}`));
  let v: Validation;
  try {
    v = (await getValidation(name, id)).validation;
  } catch (e) {
    page.append(errorBox((e as Error).message));
    return page;
  }
  page.append(h("div", { class: "title" }, h("h1", {}, `Validation of ${name}`),
    h("span", { class: "badge " + (v.passed ? "passed" : "failed"), id: "verdict" }, v.passed ? "PASSED" : "FAILED")),
    h("p", { id: "summary" }, `${v.errors} error(s), ${v.warnings} warning(s) · version `,
      h("a", { href: versionHref(name, v.version), class: "mono" }, shortId(v.version)),
      v.against ? " against " : " (no reference)", v.against ? h("a", { href: versionHref(name, v.against), class: "mono" }, shortId(v.against)) : null,
      ` · schema ${shortId(v.schema_id)} · ${formatTime(v.created_at)} · `,
      h("a", { href: reportUrl(name, id), target: "_blank", rel: "noopener", id: "report" }, "HTML report")));

  const files = h("table", { class: "grid", id: "files" }, h("thead", {}, h("tr", {}, ...["File", "Rows", "Reference file", "Reference rows"].map((c) => h("th", {}, c)))),
    h("tbody", {}, ...v.files.map((f) => h("tr", {}, h("td", {}, f.file), h("td", { class: "num" }, String(f.rows)),
      h("td", {}, f.reference_file ?? "—"), h("td", { class: "num" }, f.reference_rows === undefined ? "—" : String(f.reference_rows))))));
  page.append(h("h2", {}, "Tables"), files);

  const anomalies = h("table", { class: "grid", id: "anomalies" }, h("thead", {}, h("tr", {}, ...["Severity", "Type", "File", "Column", "Evidence"].map((c) => h("th", {}, c)))),
    h("tbody", {}, ...v.anomalies.map((a) => h("tr", { dataset: { severity: a.severity, type: a.type, column: a.column ?? "" } },
      h("td", {}, h("span", { class: "badge " + (a.severity === "error" ? "failed" : "warning") }, a.severity)),
      h("td", {}, a.type), h("td", {}, a.file), h("td", {}, a.column ?? "—"), h("td", { class: "wrap" }, a.description)))));
  page.append(h("h2", {}, `Anomalies (${v.anomalies.length})`), v.anomalies.length ? anomalies : h("p", { id: "anomalies" }, "No anomalies: every rule of the schema holds."));

  page.append(h("h2", {}, "Distributions"), v.columns.length
    ? h("div", { class: "charts", id: "distributions" }, ...v.columns.map((c) => comparisonChart(c, v.files.length > 1)))
    : h("p", { class: "muted" }, `No reference version: run kiln data validate ${name} ${shortId(v.version)} --against VERSION to compare distributions.`));
  return page;
}
