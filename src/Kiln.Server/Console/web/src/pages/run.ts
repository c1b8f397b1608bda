import { artifactUrl, getRun, historyInterval, listArtifacts, renameRun, Run } from "../api";
import { lineChart } from "../chart";
import { errorBox, formatDuration, formatNumber, formatTime, h } from "../dom";
import { Route } from "../route";

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
  const metrics = run.data.metrics ?? [];
  page.append(
    keyValueTable("Metrics (latest)", metrics.map((m) => [m.key, `${formatNumber(m.value)} (step ${m.step})`]), "metrics"),
    keyValueTable("Params", (run.data.params ?? []).map((p) => [p.key, p.value]), "params"),
    keyValueTable("Tags", (run.data.tags ?? []).filter((t) => !t.key.startsWith("mlflow.log-model")).map((t) => [t.key, t.value]), "tags"),
    keyValueTable("Dataset inputs", (run.inputs?.dataset_inputs ?? []).map((i) => [i.dataset.name, `digest ${i.dataset.digest} ${i.dataset.source ?? ""}`]), "inputs"),
  );
  const charts = h("section", { id: "charts" }, h("h2", {}, "Charts"));
  page.append(charts);
  for (const m of metrics.filter((m) => m.step > 0).slice(0, 12)) {
    // Downsampled on the server (get-history-bulk-interval keeps each run's first and last step).
    historyInterval([runId], m.key).then(({ metrics: points = [] }) => {
      charts.append(lineChart(m.key, [{ label: m.key, xs: points.map((p) => p.step), ys: points.map((p) => p.value) }]));
    }, (e) => charts.append(errorBox((e as Error).message)));
  }
  page.append(h("section", { id: "artifacts" }, h("h2", {}, "Artifacts"), await artifacts(runId)));
  return page;
}
