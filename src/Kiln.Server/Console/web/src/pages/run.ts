import { artifactUrl, deleteRun, deleteTag, getRun, historyInterval, listArtifacts, renameRun, restoreRun, Run, setTag } from "../api";
import { ChartSettings, lineChart } from "../chart";
import { errorBox, formatDuration, formatNumber, formatTime, h } from "../dom";
import { remember, Route } from "../route";

function keyValueTable(title: string, rows: [string, string][], id: string): HTMLElement {
  const table = h("table", { class: "kv", id });
  for (const [k, v] of rows) table.append(h("tr", {}, h("th", {}, k), h("td", {}, v)));
  return h("section", {}, h("h2", {}, title), rows.length ? table : h("p", { class: "muted" }, "none"));
}

/** The header with the run's name, which can be renamed in place through runs/update (the server's rules apply). */
function title(run: Run, rerender: () => void): HTMLElement {
  const name = h("h1", { id: "run-name" }, run.info.run_name || run.info.run_id);
  const edit = h("button", { id: "rename" }, "Rename");
  const box = h("div", { class: "title" }, name, edit);
  edit.addEventListener("click", () => {
    const input = h("input", { type: "text", id: "run-name-input", value: run.info.run_name, size: 40, "aria-label": "run name" }) as HTMLInputElement;
    const save = h("button", { id: "save-name" }, "Save");
    const message = h("span", { class: "muted" });
    save.addEventListener("click", async () => {
      try {
        await renameRun(run.info.run_id, input.value);
        rerender();
      } catch (e) {
        message.replaceChildren(errorBox((e as Error).message));
      }
    });
    input.addEventListener("keydown", (e) => e.key === "Enter" && save.click());
    box.replaceChildren(input, save, message);
    input.focus();
  });
  return box;
}

const NoteTag = "mlflow.note.content";

/** Runs one edit through the API; the server's error message, if any, shows next to the control. */
async function attempt(message: HTMLElement, edit: () => Promise<unknown>, done: () => void): Promise<void> {
  try {
    await edit();
    done();
  } catch (e) {
    message.replaceChildren(errorBox((e as Error).message));
  }
}

/** The run's tags, each removable, and a form to set one (MLflow's system tags are shown but not offered for removal). */
function tagsEditor(run: Run, rerender: () => void): HTMLElement {
  const message = h("div");
  const table = h("table", { class: "kv", id: "tags" });
  for (const t of (run.data.tags ?? []).filter((t) => t.key !== NoteTag && !t.key.startsWith("mlflow.log-model"))) {
    const remove = t.key.startsWith("mlflow.") ? null
      : h("button", { class: "link", "aria-label": `remove tag ${t.key}`, onclick: () => attempt(message, () => deleteTag(run.info.run_id, t.key), rerender) }, "×");
    table.append(h("tr", {}, h("th", {}, t.key), h("td", {}, t.value), h("td", {}, remove)));
  }
  const key = h("input", { type: "text", id: "tag-key", placeholder: "key", size: 16, "aria-label": "tag key" }) as HTMLInputElement;
  const value = h("input", { type: "text", id: "tag-value", placeholder: "value", size: 24, "aria-label": "tag value" }) as HTMLInputElement;
  const add = h("button", { id: "set-tag", onclick: () => attempt(message, () => setTag(run.info.run_id, key.value, value.value), rerender) }, "Set tag");
  return h("section", {}, h("h2", {}, "Tags"), table, h("div", { class: "controls" }, key, " ", value, " ", add), message);
}

/** The run's description (MLflow's mlflow.note.content tag), edited in place. */
function noteEditor(run: Run, rerender: () => void): HTMLElement {
  const note = run.data.tags?.find((t) => t.key === NoteTag)?.value ?? "";
  const message = h("div");
  const text = h("p", { id: "note", class: note ? undefined : "muted" }, note || "No description.");
  const edit = h("button", { id: "edit-note" }, "Edit description");
  const section = h("section", {}, text, edit, message);
  edit.addEventListener("click", () => {
    const area = h("textarea", { id: "note-input", rows: 4, cols: 80, "aria-label": "description" }) as HTMLTextAreaElement;
    area.value = note;
    const save = h("button", { id: "save-note", onclick: () => attempt(message, () => setTag(run.info.run_id, NoteTag, area.value), rerender) }, "Save");
    section.replaceChildren(area, h("div", {}, save), message);
    area.focus();
  });
  return section;
}

/** Delete (restorable) or restore the run. */
function lifecycle(run: Run, rerender: () => void): HTMLElement {
  const message = h("div");
  const deleted = run.info.lifecycle_stage === "deleted";
  const button = h("button", { id: deleted ? "restore-run" : "delete-run",
    onclick: () => attempt(message, () => (deleted ? restoreRun(run.info.run_id) : deleteRun(run.info.run_id)), rerender) },
    deleted ? "Restore run" : "Delete run");
  return h("div", { class: "controls" }, deleted ? h("span", { class: "error" }, "This run is deleted. ") : null, button, message);
}

/** The first 200 rows of a CSV file as a table (quoted fields with commas and doubled quotes understood). */
function csvTable(text: string): HTMLElement {
  const rows: string[][] = [];
  let row: string[] = [], field = "", quoted = false;
  for (let i = 0; i < text.length && rows.length <= 200; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  const [header = [], ...body] = rows;
  return h("table", { class: "grid csv" },
    h("thead", {}, h("tr", {}, ...header.map((c) => h("th", {}, c)))),
    h("tbody", {}, ...body.slice(0, 200).map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c))))));
}

const previewable = /\.(svg|png|jpe?g|gif)$/i;
const textual = /\.(txt|json|ya?ml|csv|log|md|py)$|MLmodel$/i;

/** The artifact browser: folders open in place; images and text files preview, HTML in a sandboxed frame; every file downloads. */
async function artifacts(runId: string, path?: string): Promise<HTMLElement> {
  const list = h("ul", { class: "files" });
  try {
    const { files = [] } = await listArtifacts(runId, path);
    for (const f of files) {
      const name = f.path.split("/").pop()!;
      if (f.is_dir) {
        const item = h("li", { class: "dir" }, h("a", { href: "#", onclick: async (e: Event) => {
          e.preventDefault();
          if (item.querySelector("ul")) item.querySelector("ul")!.remove(); else item.append(await artifacts(runId, f.path));
        } }, name + "/"));
        list.append(item);
      } else {
        const url = artifactUrl(runId, f.path);
        const preview = h("div", { class: "preview" });
        const show = async () => {
          if (preview.childElementCount) return preview.replaceChildren();
          if (previewable.test(name)) preview.append(h("img", { src: url, alt: f.path, class: "artifact-image" }));
          else if (/\.html?$/i.test(name)) preview.append(h("iframe", { src: url, sandbox: "", class: "artifact-frame", title: f.path }));
          else if (/\.csv$/i.test(name)) preview.append(csvTable(await (await fetch(url)).text()));
          else if (textual.test(name)) preview.append(h("pre", {}, (await (await fetch(url)).text()).slice(0, 100_000)));
          else preview.append(h("p", { class: "muted" }, "no preview"));
        };
        list.append(h("li", {}, h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); void show(); } }, name),
          ` (${f.file_size ?? 0} bytes) `, h("a", { href: url, download: name }, "download"), preview));
      }
    }
  } catch (e) {
    list.append(errorBox((e as Error).message));
  }
  return list;
}

/** One run: info, params, latest metrics, tags, dataset inputs, a chart per stepped metric, and its artifacts. */
export async function runPage(route: Route): Promise<HTMLElement> {
  const runId = route.parts[1];
  const page = h("section", { class: "page" });
  let run: Run;
  try {
    run = (await getRun(runId)).run;
  } catch (e) {
    page.append(errorBox((e as Error).message));
    return page;
  }
  const rerender = async () => page.replaceWith(await runPage(route));
  const info = run.info;
  page.append(
    h("p", { class: "crumbs" }, h("a", { href: "#/" }, "Experiments"), " / ", h("a", { href: `#/experiments/${info.experiment_id}` }, `experiment ${info.experiment_id}`)),
    title(run, () => void rerender()),
    h("p", { class: "muted" }, `${info.status} · started ${formatTime(info.start_time)} · ${formatDuration(info.start_time, info.end_time)} · ${info.run_id}`),
  );
  page.append(noteEditor(run, () => void rerender()), lifecycle(run, () => void rerender()));
  const metrics = run.data.metrics ?? [];
  page.append(
    keyValueTable("Metrics (latest)", metrics.map((m) => [m.key, `${formatNumber(m.value)} (step ${m.step})`]), "metrics"),
    keyValueTable("Params", (run.data.params ?? []).map((p) => [p.key, p.value]), "params"),
    tagsEditor(run, () => void rerender()),
    keyValueTable("Dataset inputs", (run.inputs?.dataset_inputs ?? []).map((i) => [i.dataset.name, `digest ${i.dataset.digest} ${i.dataset.source ?? ""}`]), "inputs"),
  );
  const charts = h("section", { id: "charts" }, h("h2", {}, "Charts"));
  const settings: ChartSettings = { log: route.query.get("log") === "1", smooth: Number(route.query.get("smooth") ?? 0), time: route.query.get("x") === "time" };
  page.append(charts);
  for (const m of metrics.filter((m) => m.step > 0).slice(0, 12)) {
    // Downsampled on the server (get-history-bulk-interval keeps each run's first and last step).
    historyInterval([runId], m.key).then(({ metrics: points = [] }) => {
      charts.append(lineChart(m.key, [{ label: m.key, xs: points.map((p) => p.step), ys: points.map((p) => p.value), times: points.map((p) => p.timestamp) }],
        "step", settings, (changed) => remember(route, { log: changed.log ? "1" : undefined, smooth: changed.smooth ? String(changed.smooth) : undefined, x: changed.time ? "time" : undefined })));
    }, (e) => charts.append(errorBox((e as Error).message)));
  }
  page.append(h("section", { id: "artifacts" }, h("h2", {}, "Artifacts"), await artifacts(runId)));
  return page;
}
