import { deleteExperiment, restoreExperiment, searchExperiments } from "../api";
import { errorBox, formatTime, h } from "../dom";
import { go, Route } from "../route";

/** The experiment list (active, or deleted ones to restore), each a link to its runs; delete and restore through the API. */
export async function experimentsPage(route: Route): Promise<HTMLElement> {
  const deleted = route.query.get("view") === "deleted";
  const page = h("section", { class: "page" }, h("h1", {}, deleted ? "Deleted experiments" : "Experiments"),
    h("p", {}, h("a", { href: deleted ? "#/" : "#/?view=deleted", id: "toggle-deleted" }, deleted ? "Show active experiments" : "Show deleted experiments")));
  const message = h("div");
  page.append(message);
  try {
    const { experiments = [] } = await searchExperiments(deleted ? "DELETED_ONLY" : "ACTIVE_ONLY");
    const table = h("table", { class: "grid", id: "experiments" },
      h("thead", {}, h("tr", {}, h("th", {}, "ID"), h("th", {}, "Name"), h("th", {}, "Created"), h("th", {}, ""))));
    const body = h("tbody");
    for (const e of experiments) {
      const act = async () => {
        try {
          await (deleted ? restoreExperiment(e.experiment_id) : deleteExperiment(e.experiment_id));
          go("/", deleted ? { view: "deleted", t: String(Date.now()) } : { t: String(Date.now()) });
        } catch (err) {
          message.replaceChildren(errorBox((err as Error).message));
        }
      };
      body.append(h("tr", { dataset: { experimentId: e.experiment_id } },
        h("td", {}, e.experiment_id),
        h("td", {}, deleted ? e.name : h("a", { href: `#/experiments/${e.experiment_id}` }, e.name)),
        h("td", {}, formatTime(e.creation_time)),
        h("td", {}, h("button", { class: deleted ? "restore" : "delete", onclick: act }, deleted ? "Restore" : "Delete"))));
    }
    table.append(body);
    page.append(experiments.length ? table : h("p", {}, deleted ? "No deleted experiments." : "No experiments yet: run kiln train, or log from MLflow with MLFLOW_TRACKING_URI set to this server."));
  } catch (e) {
    page.append(errorBox((e as Error).message));
  }
  return page;
}
