import { searchExperiments } from "../api";
import { errorBox, formatTime, h } from "../dom";

/** The experiment list: every active experiment, newest last, each a link to its runs. */
export async function experimentsPage(): Promise<HTMLElement> {
  const page = h("section", { class: "page" }, h("h1", {}, "Experiments"));
  try {
    const { experiments = [] } = await searchExperiments();
    const table = h("table", { class: "grid", id: "experiments" },
      h("thead", {}, h("tr", {}, h("th", {}, "ID"), h("th", {}, "Name"), h("th", {}, "Created"))));
    const body = h("tbody");
    for (const e of experiments) {
      body.append(h("tr", {},
        h("td", {}, e.experiment_id),
        h("td", {}, h("a", { href: `#/experiments/${e.experiment_id}` }, e.name)),
        h("td", {}, formatTime(e.creation_time))));
    }
    table.append(body);
    page.append(experiments.length ? table : h("p", {}, "No experiments yet: run kiln train, or log from MLflow with MLFLOW_TRACKING_URI set to this server."));
  } catch (e) {
    page.append(errorBox((e as Error).message));
  }
  return page;
}
