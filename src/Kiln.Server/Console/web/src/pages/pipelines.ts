import { errorBox, formatDuration, formatTime, h } from "../dom";
import {
  cancelRun, dagChart, finished, getPipeline, getRun, listPipelines, listRuns, Pipeline, pipelineHref, PipelineRunInfo, resumeRun, RunDetail, runHref, startRun,
  statusBadge, StepRunInfo, stepLog, triggerChips, triggerText,
} from "../pipelines";
import { go, Route } from "../route";

const message = (e: unknown) => (e as Error).message;
/** The nodes given, without the nulls of parts a page leaves out. */
const present = (...nodes: (Node | null)[]) => nodes.filter((n): n is Node => n !== null);
/** How often a run's page asks for its steps while the run is not finished. */
const refreshMs = 1000;

/** Every #/pipelines/… route: the list, one pipeline, or one run. */
export async function pipelineRoutes(route: Route): Promise<HTMLElement> {
  const [, name, section, id] = route.parts.map(decodeURIComponent);
  if (name === undefined) return pipelinesPage();
  if (section === "runs" && id !== undefined) return runPage(name, id, route.query.get("step") ?? undefined);
  return pipelinePage(name);
}

/** The stored pipelines (steps, triggers, last run) and the newest runs of all of them. */
async function pipelinesPage(): Promise<HTMLElement> {
  const page = h("section", { class: "page" }, h("h1", {}, "Pipelines"));
  try {
    const [{ pipelines }, { runs }] = await Promise.all([listPipelines(), listRuns(undefined, 30)]);
    const table = h("table", { class: "grid", id: "pipelines" },
      h("thead", {}, h("tr", {}, ...["Pipeline", "Steps", "Triggers", "Last run", "Status", "Stored"].map((c) => h("th", {}, c)))));
    table.append(h("tbody", {}, ...pipelines.map((p) => h("tr", { dataset: { pipeline: p.name } },
      h("td", {}, h("a", { href: pipelineHref(p.name) }, p.name), p.description ? h("div", { class: "muted" }, p.description) : null),
      h("td", { class: "num" }, String(p.steps.length)),
      h("td", {}, triggerChips(p.triggers)),
      h("td", {}, p.last_run ? h("a", { href: runHref(p.name, p.last_run.id) }, formatTime(p.last_run.created_at)) : h("span", { class: "muted" }, "never")),
      h("td", { class: "status" }, p.last_run ? statusBadge(p.last_run.status) : null),
      h("td", {}, `${formatTime(p.updated_at)} by ${p.updated_by}`)))));
    page.append(pipelines.length ? table
      : h("p", { id: "pipelines" }, "No pipelines stored yet: store one with kiln pipeline apply pipelines/NAME.yaml (kiln pipeline run runs a file without storing it)."),
      h("h2", {}, "Recent runs"), runsTable(runs, true));
  } catch (e) {
    page.append(errorBox(message(e)));
  }
  return page;
}

/** Runs: status, trigger and cause, steps run and cached, time. */
function runsTable(runs: PipelineRunInfo[], withPipeline: boolean): HTMLElement {
  if (!runs.length) return h("p", { class: "muted", id: "runs" }, "No runs yet.");
  const table = h("table", { class: "grid", id: "runs" }, h("thead", {}, h("tr", {},
    ...[...(withPipeline ? ["Pipeline"] : []), "Run", "Status", "Trigger", "Steps", "Queued", "Took"].map((c) => h("th", {}, c)))));
  table.append(h("tbody", {}, ...runs.map((r) => {
    const c = r.step_counts ?? {};
    return h("tr", { dataset: { run: r.id, status: r.status } },
      ...(withPipeline ? [h("td", {}, h("a", { href: pipelineHref(r.pipeline) }, r.pipeline))] : []),
      h("td", { class: "mono" }, h("a", { href: runHref(r.pipeline, r.id) }, r.id.slice(0, 8))),
      h("td", {}, statusBadge(r.status)),
      h("td", { class: "trigger", title: r.cause ?? "" }, triggerText(r).slice(0, 80)),
      h("td", { class: "counts" }, `${c.succeeded ?? 0} ran, ${c.cached ?? 0} cached` + (c.failed ? `, ${c.failed} failed` : "") + (c.skipped ? `, ${c.skipped} skipped` : "")),
      h("td", {}, formatTime(r.created_at)),
      h("td", {}, r.started_at ? formatDuration(r.started_at, r.finished_at ?? undefined) : ""));
  })));
  return table;
}

/** One pipeline: its DAG, params (a form to run it with), triggers, file, and its runs. */
async function pipelinePage(name: string): Promise<HTMLElement> {
  const crumbs = h("p", { class: "crumbs" }, h("a", { href: "#/pipelines" }, "Pipelines"), ` / ${name}`);
  const page = h("section", { class: "page" }, crumbs);
  let pipeline: Pipeline;
  try {
    pipeline = await getPipeline(name);
  } catch (e) {
    page.append(errorBox(message(e)));
    return page;
  }
  const runs = await listRuns(name, 50).then((r) => r.runs).catch(() => [] as PipelineRunInfo[]);
  page.append(h("h1", {}, name),
    h("p", { class: "muted" }, pipeline.description ?? "", pipeline.description ? " · " : "", `${pipeline.steps.length} steps · concurrency ${pipeline.concurrency} · stored ${formatTime(pipeline.updated_at)} by ${pipeline.updated_by} · `, triggerChips(pipeline.triggers)),
    runForm(pipeline),
    h("h2", {}, "Steps"), dagChart(pipeline.steps, new Map()),
    h("h2", {}, `Runs (${runs.length})`), runsTable(runs, false),
    h("details", { id: "spec" }, h("summary", {}, `pipelines/${name}.yaml`), h("pre", { class: "code" }, pipeline.yaml ?? "")));
  return page;
}

/** Run: one field per param (its default filled in), Force, and the button; the new run opens when queued. */
function runForm(p: Pipeline): HTMLElement {
  const result = h("div", { id: "run-result" });
  const fields = p.params.map((param) => h("label", { class: "param" }, `${param.name} `,
    h("input", { name: param.name, value: param.default ?? "", placeholder: param.type, dataset: { type: param.type }, required: param.default === null }),
    h("span", { class: "muted" }, ` ${param.type}`)));
  const force = h("input", { type: "checkbox", id: "force" }) as HTMLInputElement;
  const button = h("button", { type: "submit", id: "run-pipeline" }, "Run") as HTMLButtonElement;
  const form = h("form", { id: "run-form", class: "actions" },
    h("div", { class: "toolbar" }, h("strong", {}, "Run"), ...fields, h("label", {}, force, " Force (no cache)"), button), result) as HTMLFormElement;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const params: Record<string, string> = {};
    for (const input of form.querySelectorAll<HTMLInputElement>("label.param input")) params[input.name] = input.value;
    button.disabled = true;
    try {
      const started = await startRun(p.name, params, force.checked);
      go(`/pipelines/${encodeURIComponent(p.name)}/runs/${encodeURIComponent(started.run.id)}`);
    } catch (err) {
      result.replaceChildren(errorBox(message(err)));
      button.disabled = false;
    }
  });
  return form;
}

/** One run: its DAG with each step's status, the steps (attempts, time, worker, cache hits, errors, outputs), a step's log, Cancel and Resume. */
async function runPage(name: string, id: string, selected?: string): Promise<HTMLElement> {
  const page = h("section", { class: "page" });
  let spec: Pipeline | undefined;
  try {
    spec = await getPipeline(name);
  } catch {
    spec = undefined; // a run of a file that was never stored: the DAG is drawn from the steps alone
  }
  let shown = selected;
  const draw = async (detail: RunDetail) => {
    const r = detail.run;
    const steps = spec?.steps ?? detail.steps.map((s) => ({ name: s.name, uses: null, run: null, needs: [], when: null, labels: [] }));
    const byName = new Map(detail.steps.map((s) => [s.name, s]));
    const logBox = h("div", { id: "log-box" });
    const select = async (step: string) => {
      shown = step;
      const st = byName.get(step);
      logBox.replaceChildren(h("h2", {}, `Log of ${step}`), h("p", { class: "muted" }, "loading…"));
      try {
        const log = await stepLog(r.id, step);
        logBox.replaceChildren(...present(h("h2", {}, `Log of ${step}`),
          st?.status === "cached" ? h("p", { class: "muted" }, `A cache hit: the result of run ${st.cached_from} was reused; its log is that run's.`) : null,
          h("pre", { class: "code log", id: "log", dataset: { step } }, log.log ?? "(no log)")));
      } catch (e) {
        logBox.replaceChildren(errorBox(message(e)));
      }
    };
    page.replaceChildren(...present(
      h("p", { class: "crumbs" }, h("a", { href: "#/pipelines" }, "Pipelines"), " / ", h("a", { href: pipelineHref(name) }, name), ` / run ${r.id.slice(0, 8)}`),
      h("h1", { class: "title" }, `Run ${r.id.slice(0, 8)} `, statusBadge(r.status)),
      h("p", { class: "muted", id: "run-meta" }, `trigger ${r.trigger}`, r.cause ? ` · cause: ${r.cause}` : "", ` · by ${r.user} · queued ${formatTime(r.created_at)}`,
        r.started_at ? ` · took ${formatDuration(r.started_at, r.finished_at ?? undefined)}` : "", r.force ? " · forced (no cache)" : "",
        r.tracking_run_id ? h("span", {}, " · ", h("a", { href: `#/runs/${r.tracking_run_id}` }, "tracking run")) : null),
      Object.keys(r.params).length ? h("p", { id: "run-params" }, ...Object.entries(r.params).map(([k, v]) => h("span", { class: "chip" }, `${k}=${v}`))) : null,
      r.error ? h("div", { class: "error", id: "run-error" }, r.error) : null,
      runActions(r, () => refresh()),
      dagChart(steps, byName, (s) => void select(s)),
      h("h2", {}, "Steps"), stepsTable(detail.steps, (s) => void select(s)),
      logBox));
    if (shown) await select(shown);
  };
  let timer: number | undefined;
  let seen = false;
  const refresh = async () => {
    try {
      const detail = await getRun(id);
      await draw(detail);
      if (!finished(detail.run.status)) follow(); // e.g. after Resume
      return detail;
    } catch (e) {
      page.replaceChildren(errorBox(message(e)));
      return undefined;
    }
  };
  // follow the run until it ends or the page is left
  const follow = () => {
    if (timer !== undefined) return;
    timer = window.setInterval(async () => {
      seen ||= page.isConnected;
      const stop = () => { window.clearInterval(timer); timer = undefined; };
      if (seen && !page.isConnected) { stop(); return; }
      const d = await refresh();
      if (!d || finished(d.run.status)) stop();
    }, refreshMs);
  };
  await refresh();
  return page;
}

function runActions(r: PipelineRunInfo, reload: () => Promise<unknown>): HTMLElement {
  const result = h("div", { id: "action-result" });
  const cancel = h("button", { type: "button", id: "cancel-run", disabled: finished(r.status) }, "Cancel") as HTMLButtonElement;
  const resume = h("button", { type: "button", id: "resume-run", disabled: !(r.status === "failed" || r.status === "cancelled") }, "Resume") as HTMLButtonElement;
  const act = (button: HTMLButtonElement, f: () => Promise<unknown>) => button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await f();
      await reload();
    } catch (e) {
      result.replaceChildren(errorBox(message(e)));
      button.disabled = false;
    }
  });
  act(cancel, () => cancelRun(r.id));
  act(resume, () => resumeRun(r.id));
  return h("section", { class: "actions", id: "run-actions" }, h("div", { class: "toolbar" }, cancel, resume,
    h("span", { class: "muted" }, "Resume re-runs the failed steps; the steps that succeeded keep their outputs.")), result);
}

function stepsTable(steps: StepRunInfo[], select: (step: string) => void): HTMLElement {
  const table = h("table", { class: "grid", id: "steps" }, h("thead", {}, h("tr", {},
    ...["Step", "Status", "Attempt", "Took", "Worker", "Detail", "Log"].map((c) => h("th", {}, c)))));
  table.append(h("tbody", {}, ...steps.map((s) => {
    const detail = s.status === "cached" ? `cache hit from run ${s.cached_from?.slice(0, 8)}`
      : s.error ?? Object.entries(s.outputs).map(([k, v]) => `${k}=${v}`).join(", ");
    const logButton = h("button", { type: "button", class: "link", dataset: { log: s.name } }, "log");
    logButton.addEventListener("click", () => select(s.name));
    return h("tr", { dataset: { step: s.name, status: s.status } },
      h("td", {}, s.tracking_run_id ? h("a", { href: `#/runs/${s.tracking_run_id}` }, s.name) : s.name),
      h("td", {}, statusBadge(s.status)),
      h("td", { class: "num" }, String(s.attempt)),
      h("td", {}, s.started_at && s.status !== "cached" ? formatDuration(s.started_at, s.finished_at ?? undefined) : ""),
      h("td", { class: "mono muted" }, s.worker ?? ""),
      h("td", { class: "detail" }, detail.length > 160 ? detail.slice(0, 159) + "…" : detail),
      h("td", {}, s.status === "pending" || s.status === "ready" ? null : logButton));
  })));
  return table;
}
