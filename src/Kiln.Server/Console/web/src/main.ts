import "./style.css";
import { errorBox } from "./dom";
import { comparePage } from "./pages/compare";
import { datasetRoutes } from "./pages/datasets";
import { deploymentRoutes } from "./pages/deployments";
import { auditPage } from "./pages/audit";
import { experimentsPage } from "./pages/experiments";
import { modelRoutes } from "./pages/models";
import { monitoringRoutes } from "./pages/monitoring";
import { pipelineRoutes } from "./pages/pipelines";
import { runPage } from "./pages/run";
import { runsPage } from "./pages/runs";
import { current, Route } from "./route";

/** Pages by the first segment of the hash route (datasets and models route their own sub-pages). A later feature adds its pages here. */
const pages: Record<string, (route: Route) => Promise<HTMLElement>> = {
  "": experimentsPage,
  experiments: runsPage,
  runs: runPage,
  compare: comparePage,
  datasets: datasetRoutes,
  models: modelRoutes,
  deployments: deploymentRoutes,
  monitoring: monitoringRoutes,
  pipelines: pipelineRoutes,
  audit: auditPage,
};

/** Sections with their own link in the header; every other page belongs to Experiments. */
const sections = new Set(["datasets", "models", "deployments", "monitoring", "pipelines", "audit"]);

let rendering = 0;

async function render(): Promise<void> {
  const route = current();
  const ticket = ++rendering;
  const app = document.getElementById("app")!;
  app.setAttribute("aria-busy", "true");
  const page = pages[route.parts[0] ?? ""];
  // the header's link to the section the page belongs to is marked current
  const section = sections.has(route.parts[0]) ? `#/${route.parts[0]}` : "#/";
  for (const a of document.querySelectorAll<HTMLAnchorElement>("header nav a")) {
    if (a.getAttribute("href") === section) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  const content = page ? await page(route).catch((e: Error) => errorBox(e.message)) : errorBox(`No page ${route.path}`);
  if (ticket !== rendering) return; // a newer navigation won
  app.replaceChildren(content);
  app.setAttribute("aria-busy", "false");
  document.title = `Kiln · ${content.querySelector("h1")?.textContent ?? ""}`;
}

window.addEventListener("hashchange", () => void render());
void render();
