import { getExperiment, Run, searchRuns } from "../api";
import { errorBox, formatDuration, formatNumber, formatTime, h } from "../dom";
import { go, Route } from "../route";

/** Page sizes offered; the table renders only the rows in view beyond WindowRows, so a 1,000-run page stays smooth. */
const PageSizes = [100, 500, 1000];
const WindowRows = 120;
const RowHeight = 29;

function value(run: Run, column: string): number | string | undefined {
  const [kind, ...rest] = column.split(".");
  const key = rest.join(".");
  if (kind === "metrics") return run.data.metrics?.find((m) => m.key === key)?.value;
  if (kind === "params") return run.data.params?.find((p) => p.key === key)?.value;
  if (kind === "tags") return run.data.tags?.find((t) => t.key === key)?.value;
  return undefined;
}

/** Parents first, each followed by its children on the page (tune trials under their search), children indented. */
function nest(runs: Run[]): { run: Run; depth: number }[] {
  const parentOf = (r: Run) => r.data.tags?.find((t) => t.key === "mlflow.parentRunId")?.value;
  const ids = new Set(runs.map((r) => r.info.run_id));
  const children = new Map<string, Run[]>();
  for (const r of runs) {
    const p = parentOf(r);
    if (p && ids.has(p)) children.set(p, [...(children.get(p) ?? []), r]);
  }
  const out: { run: Run; depth: number }[] = [];
  const visit = (r: Run, depth: number) => {
    out.push({ run: r, depth });
    for (const c of children.get(r.info.run_id) ?? []) visit(c, depth + 1);
  };
  for (const r of runs) if (!(parentOf(r) && ids.has(parentOf(r)!))) visit(r, 0);
  return out;
}

/**
 * An experiment's runs: MLflow's filter grammar in the search box, server-side sorting (click a column) and paging,
 * a column chooser, parent/child nesting, selection for comparison. Everything is in the URL, so a view can be shared.
 */
export async function runsPage(route: Route): Promise<HTMLElement> {
  const experimentId = route.parts[1];
  const q = route.query;
  const filter = q.get("filter") ?? "";
  const order = q.get("order") ?? "";
  const token = q.get("page") ?? undefined;
  const pageSize = PageSizes.includes(Number(q.get("size"))) ? Number(q.get("size")) : PageSizes[0];
  const selected = new Set((q.get("selected") ?? "").split(",").filter(Boolean));
  const page = h("section", { class: "page" });
  try {
    const { experiment } = await getExperiment(experimentId);
    page.append(h("h1", {}, experiment.name), h("p", { class: "crumbs" }, h("a", { href: "#/" }, "Experiments"), ` / ${experiment.name} (id ${experimentId})`));
  } catch (e) {
    page.append(errorBox((e as Error).message));
    return page;
  }

  const search = h("input", { type: "search", id: "filter", value: filter, placeholder: "metrics.valid_roc_auc > 0.8 AND params.learner = 'gbdt'", size: 60, "aria-label": "filter" }) as HTMLInputElement;
  const groupInput = h("input", { type: "text", id: "group", value: q.get("group") ?? "", placeholder: "params.learner", size: 16, "aria-label": "group by" }) as HTMLInputElement;
  const columnsInput = h("input", { type: "text", id: "columns", value: q.get("columns") ?? "", placeholder: "metrics.valid_roc_auc,params.max_depth", size: 40, "aria-label": "columns" }) as HTMLInputElement;
  const state = (extra: Record<string, string | undefined> = {}) => ({
    filter: filter || undefined, order: order || undefined, columns: q.get("columns") ?? undefined, group: q.get("group") ?? undefined,
    selected: selected.size ? [...selected].join(",") : undefined, size: pageSize === PageSizes[0] ? undefined : String(pageSize), ...extra });
  // the current page stays in the URL when the selection changes (a reload or a shared link shows the same page)
  const here = () => state({ page: token });
  const apply = () => go(route.path, state({ filter: search.value || undefined, columns: columnsInput.value || undefined, group: groupInput.value || undefined }));
  groupInput.addEventListener("keydown", (e) => e.key === "Enter" && apply());
  search.addEventListener("keydown", (e) => e.key === "Enter" && apply());
  columnsInput.addEventListener("keydown", (e) => e.key === "Enter" && apply());
  const compare = h("a", { class: "button", id: "compare", href: `#/compare?runs=${[...selected].join(",")}` }, `Compare ${selected.size} selected`);
  page.append(h("div", { class: "toolbar" }, h("label", {}, "Filter ", search), h("label", {}, "Columns ", columnsInput), h("label", {}, "Group by ", groupInput),
    h("button", { onclick: apply }, "Search"), compare));

  let result: { runs?: Run[]; next_page_token?: string };
  try {
    result = await searchRuns(experimentId, filter, order ? [order] : [], pageSize, token);
  } catch (e) {
    page.append(errorBox((e as Error).message));
    return page;
  }
  const runs = result.runs ?? [];
  const chosen = (q.get("columns") ?? "").split(",").map((c) => c.trim()).filter(Boolean);
  const columns = chosen.length ? chosen : [
    ...[...new Set(runs.flatMap((r) => (r.data.metrics ?? []).map((m) => "metrics." + m.key)))].sort().slice(0, 8),
    ...[...new Set(runs.flatMap((r) => (r.data.params ?? []).map((p) => "params." + p.key)))].sort().slice(0, 6),
  ];

  const header = (label: string, column: string) => {
    const current = order.startsWith(column + " ") ? order.slice(column.length + 1) : "";
    const next = current === "DESC" ? `${column} ASC` : `${column} DESC`;
    const arrow = current === "DESC" ? " ▼" : current === "ASC" ? " ▲" : "";
    return h("th", { "aria-sort": current ? (current === "DESC" ? "descending" : "ascending") : undefined },
      h("a", { href: "#", class: "sort", dataset: { column }, onclick: (e: Event) => { e.preventDefault(); go(route.path, state({ order: next })); } }, label + arrow));
  };
  const table = h("table", { class: "grid", id: "runs" });
  table.append(h("thead", {}, h("tr", {}, h("th", {}, ""), header("Run", "attributes.run_name"), header("Status", "attributes.status"),
    header("Started", "attributes.start_time"), h("th", {}, "Duration"), ...columns.map((c) => header(c, c)))));
  const body = h("tbody");
  const group = q.get("group");
  let rows = nest(runs);
  if (group) {
    // grouped on this page by the value of a param or tag, the groups in value order, runs keeping their order
    const key = (r: Run) => String(value(r, group) ?? "(none)");
    rows = rows.map((x) => ({ ...x, depth: 0 }));
    rows.sort((a, b) => key(a.run).localeCompare(key(b.run), undefined, { numeric: true }));
  }
  // Each table line (a group header or a run) is made when it scrolls into view.
  const lines: (() => HTMLTableRowElement)[] = [];
  let currentGroup: string | undefined;
  for (const { run, depth } of rows) {
    if (group) {
      const g = String(value(run, group) ?? "(none)");
      if (g !== currentGroup) {
        currentGroup = g;
        const count = rows.filter((x) => String(value(x.run, group) ?? "(none)") === g).length;
        lines.push(() => h("tr", { class: "group" }, h("td", { colspan: 5 + columns.length }, `${group} = ${g} (${count})`)));
      }
    }
    lines.push(() => runRow(run, depth));
  }
  function runRow(run: Run, depth: number): HTMLTableRowElement {
    const id = run.info.run_id;
    const box = h("input", { type: "checkbox", "aria-label": `select ${run.info.run_name}`, checked: selected.has(id) }) as HTMLInputElement;
    box.addEventListener("change", () => {
      if (box.checked) selected.add(id); else selected.delete(id);
      compare.textContent = `Compare ${selected.size} selected`;
      compare.setAttribute("href", `#/compare?runs=${[...selected].join(",")}`);
      // the selection is part of the view's URL (kept across pages and when shared), without re-rendering the table
      const params = new URLSearchParams(Object.entries(here()).filter((e): e is [string, string] => e[1] !== undefined));
      history.replaceState(null, "", `#${route.path}?${params}`);
    });
    return h("tr", { class: depth ? "child" : undefined, dataset: { runId: id } },
      h("td", {}, box),
      h("td", { style: `padding-left: ${0.5 + depth * 1.5}em` }, h("a", { href: `#/runs/${id}` }, run.info.run_name || id)),
      h("td", { class: `status ${run.info.status.toLowerCase()}` }, run.info.status),
      h("td", {}, formatTime(run.info.start_time)),
      h("td", {}, formatDuration(run.info.start_time, run.info.end_time)),
      ...columns.map((c) => h("td", { class: c.startsWith("metrics.") ? "num" : undefined }, formatNumber(value(run, c)))));
  }
  table.append(body);
  const scroller = h("div", { class: lines.length > WindowRows ? "scroller" : undefined }, table);
  const spacer = (height: number) => h("tr", { class: "spacer", style: `height: ${height}px` });
  let first = -1;
  let focused = "";
  const renderWindow = () => {
    if (lines.length <= WindowRows) {
      body.replaceChildren(...lines.map((make) => make()));
      return;
    }
    // virtualised: the rows in view plus a margin, with spacers standing in for the rest
    const start = Math.max(0, Math.floor(scroller.scrollTop / RowHeight) - 20);
    if (start === first) return;
    first = start;
    const end = Math.min(lines.length, start + WindowRows);
    body.replaceChildren(spacer(start * RowHeight), ...lines.slice(start, end).map((make) => make()), spacer((lines.length - end) * RowHeight));
    // keyboard focus survives the rows being remade
    body.querySelector<HTMLAnchorElement>(`tr[data-run-id="${focused}"] td:nth-child(2) a`)?.focus({ preventScroll: true });
  };
  scroller.addEventListener("scroll", renderWindow);
  renderWindow();
  // Keyboard: j / ArrowDown and k / ArrowUp move between runs, Enter opens one, "/" goes to the filter box.
  table.addEventListener("keydown", (e) => {
    const links = [...table.querySelectorAll<HTMLAnchorElement>("tbody td:nth-child(2) a")];
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    const move = e.key === "j" || e.key === "ArrowDown" ? 1 : e.key === "k" || e.key === "ArrowUp" ? -1 : 0;
    if (move && links.length) {
      e.preventDefault();
      const target = links[Math.min(links.length - 1, Math.max(0, at + move))];
      focused = target.closest("tr")?.dataset.runId ?? "";
      target.focus();
      target.scrollIntoView({ block: "nearest" });
    }
  });
  document.onkeydown = (e) => {
    const typing = document.activeElement instanceof HTMLTextAreaElement
      || (document.activeElement instanceof HTMLInputElement && ["text", "search"].includes(document.activeElement.type));
    if (e.key === "/" && !typing) {
      e.preventDefault();
      search.focus();
    }
  };
  page.append(runs.length ? scroller : h("p", {}, "No runs match."));
  const size = h("select", { id: "page-size", "aria-label": "runs per page" },
    ...PageSizes.map((n) => h("option", { value: String(n), selected: n === pageSize }, `${n} per page`))) as HTMLSelectElement;
  size.addEventListener("change", () => go(route.path, state({ size: size.value === String(PageSizes[0]) ? undefined : size.value, page: undefined })));
  const nav = h("div", { class: "pager" }, h("span", {}, `${runs.length} run(s) on this page`), size);
  if (token) nav.append(h("button", { onclick: () => history.back() }, "Previous"));
  if (result.next_page_token) {
    nav.append(h("button", { id: "next", onclick: () => go(route.path, state({ page: result.next_page_token })) }, "Next"));
  }
  page.append(nav);
  return page;
}
