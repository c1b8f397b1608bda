import { errorBox, formatTime, h } from "../dom";
import { AuditEntry, auditLog, verifyAudit } from "../registry";
import { go, Route } from "../route";

const limit = 1000;
const compact = (v: unknown) => (v === null || v === undefined ? "—" : JSON.stringify(v));

/** The audit log, oldest first, narrowed by resource (a prefix: models/loans takes its versions and aliases) and date; the state is in the URL. */
export async function auditPage(route: Route): Promise<HTMLElement> {
  const resource = route.query.get("resource") ?? "";
  const since = route.query.get("since") ?? "";
  const page = h("section", { class: "page" }, h("h1", {}, "Audit log"));

  const resourceInput = h("input", { type: "search", id: "resource", value: resource, placeholder: "resource, e.g. models/loans", size: 32, "aria-label": "resource" }) as HTMLInputElement;
  const sinceInput = h("input", { type: "date", id: "since", value: since, "aria-label": "since" }) as HTMLInputElement;
  const form = h("form", { class: "toolbar", id: "filter" }, h("label", {}, "Resource ", resourceInput), h("label", {}, "since ", sinceInput),
    h("button", { type: "submit" }, "Apply"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    go("/audit", { resource: resourceInput.value.trim(), since: sinceInput.value });
  });

  const verdict = h("div", { id: "verify-result" });
  const verify = h("button", { type: "button", id: "verify" }, "Verify chain") as HTMLButtonElement;
  verify.addEventListener("click", async () => {
    verify.disabled = true;
    try {
      const r = await verifyAudit();
      verdict.replaceChildren(
        h("p", {}, h("span", { class: "badge " + (r.intact ? "passed" : "failed"), id: "chain" }, r.intact ? "INTACT" : "BROKEN"),
          ` ${r.entries} entries; head hash `, h("span", { class: "mono", title: r.head }, r.head.slice(0, 16)),
          h("span", { class: "muted" }, " (keep it elsewhere: only that detects a deleted tail)")),
        r.problems.length ? h("ul", { id: "problems" }, ...r.problems.map((p) => h("li", {}, p))) : "");
    } catch (e) {
      verdict.replaceChildren(errorBox((e as Error).message));
    } finally {
      verify.disabled = false;
    }
  });
  page.append(form, h("div", { class: "toolbar" }, verify, h("span", { class: "muted" }, "recomputes every entry's hash and link")), verdict);

  const from = since ? Date.parse(since + "T00:00:00Z") : undefined;
  if (from !== undefined && Number.isNaN(from)) {
    page.append(errorBox(`'${since}' is not a date (YYYY-MM-DD).`));
    return page;
  }
  let entries: AuditEntry[];
  try {
    entries = (await auditLog(resource || undefined, from, limit)).entries;
  } catch (e) {
    page.append(errorBox((e as Error).message));
    return page;
  }
  page.append(h("p", { class: "muted", id: "count" }, `${entries.length} entr${entries.length === 1 ? "y" : "ies"}, oldest first`
    + (entries.length === limit ? `: the first ${limit}; narrow by resource or date to see later ones` : "") + "."));
  if (!entries.length) {
    page.append(h("p", { id: "audit" }, resource ? `Nothing recorded under ${resource}.` : "Nothing recorded yet."));
    return page;
  }
  const table = h("table", { class: "grid audit", id: "audit" }, h("thead", {}, h("tr", {},
    ...["Time", "User", "Action", "Resource", "Before", "After"].map((c) => h("th", {}, c)))));
  table.append(h("tbody", {}, ...entries.map((e) => h("tr", { dataset: { action: e.action, resource: e.resource, id: String(e.id) } },
    h("td", { title: `entry ${e.id} · hash ${e.hash}` }, formatTime(e.time)),
    h("td", {}, e.user),
    h("td", {}, e.action),
    h("td", { class: "mono" }, e.resource),
    h("td", { class: "mono json" }, compact(e.before)),
    h("td", { class: "mono json" }, compact(e.after))))));
  page.append(table);
  return page;
}
